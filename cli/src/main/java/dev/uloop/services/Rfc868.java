package dev.uloop.services;

import java.time.Instant;

/**
 * The RFC 868 time value: seconds since 1900-01-01T00:00:00Z as an unsigned 32-bit number,
 * sent as 4 bytes in network (big-endian) order.
 *
 * <p>The value is taken modulo 2<sup>32</sup>, which is how the RFC's 32-bit field reads:
 * it wraps on 2036-02-07T06:28:16Z, after which it restarts at 0. Clients that know the era
 * (rdate, and {@link #toInstant(long, Instant)} here, which picks the era nearest to a
 * reference clock) read it correctly across the wrap.
 */
public final class Rfc868 {
    private Rfc868() {}

    /** Seconds from 1900-01-01T00:00:00Z to 1970-01-01T00:00:00Z (the Unix epoch). */
    public static final long OFFSET_1900_TO_1970 = 2_208_988_800L;

    /** 2<sup>32</sup>: the length of one RFC 868 era, in seconds (about 136 years). */
    public static final long ERA = 1L << 32;

    /** The instant the first era ends and the value wraps to 0: 2036-02-07T06:28:16Z. */
    public static final Instant FIRST_WRAP = Instant.ofEpochSecond(ERA - OFFSET_1900_TO_1970);

    /**
     * The RFC 868 value of an instant (whole seconds, fractions dropped).
     *
     * @param t an instant
     * @return seconds since 1900 modulo 2<sup>32</sup>, in 0..4294967295
     */
    public static long toRfc868(Instant t) {
        return Math.floorMod(t.getEpochSecond() + OFFSET_1900_TO_1970, ERA);
    }

    /**
     * The 4 bytes sent on the wire for an instant.
     *
     * @param t an instant
     * @return {@link #toRfc868(Instant)} in big-endian order
     */
    public static byte[] encode(Instant t) {
        long v = toRfc868(t);
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /**
     * Reads the 4 bytes of a reply.
     *
     * @param b at least 4 bytes, big-endian
     * @return the unsigned value
     */
    public static long decode(byte[] b) {
        if (b.length < 4) {
            throw new IllegalArgumentException("an RFC 868 value has 4 bytes, got " + b.length);
        }
        return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
    }

    /**
     * The instant an RFC 868 value stands for, in the era nearest to a reference instant
     * (usually the local clock), so that values sent after the 2036 wrap read right.
     *
     * @param value a value in 0..4294967295
     * @param near  the reference instant
     * @return the instant, whole seconds
     */
    public static Instant toInstant(long value, Instant near) {
        if (value < 0 || value >= ERA) {
            throw new IllegalArgumentException("not a 32-bit unsigned value: " + value);
        }
        long ref = near.getEpochSecond() + OFFSET_1900_TO_1970;   // seconds since 1900, unwrapped
        long era = Math.round((ref - value) / (double) ERA);
        return Instant.ofEpochSecond(value + era * ERA - OFFSET_1900_TO_1970);
    }
}
