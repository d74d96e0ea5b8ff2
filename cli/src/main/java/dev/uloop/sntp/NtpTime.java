package dev.uloop.sntp;

/**
 * NTP's 64-bit timestamps (RFC 5905, section 6): 32 bits of seconds since 1900-01-01
 * and 32 bits of fraction. The seconds wrap every 2^32 s (136 years): era 0 ends at
 * 2036-02-07T06:28:16Z, when the field restarts at 0 in era 1. A timestamp therefore
 * names an instant only together with a nearby time that says which era is meant
 * ({@link #toUnixNanos}), and differences between timestamps are taken modulo 2^64 and
 * read as signed ({@link #difference}), which is right across the boundary as long as
 * the instants are less than 68 years apart. All arithmetic here is unsigned or modular:
 * no method breaks in 2036.
 */
public final class NtpTime {
    private NtpTime() {}

    /** Seconds from 1900-01-01 (NTP's epoch) to 1970-01-01 (Unix's). */
    public static final long UNIX_EPOCH_SECONDS = 2_208_988_800L;
    private static final long NANOS = 1_000_000_000L;
    private static final long ERA_SECONDS = 1L << 32;

    /**
     * The NTP timestamp of an instant.
     *
     * @param unixNanos nanoseconds since the Unix epoch (negative before 1970)
     * @return seconds since 1900 modulo 2^32 in the high half, the fraction of a second in
     *         the low half (rounded to the nearest 2^-32 s, which never reaches the next second)
     */
    public static long fromUnixNanos(long unixNanos) {
        long seconds = Math.floorDiv(unixNanos, NANOS) + UNIX_EPOCH_SECONDS;
        long nanos = Math.floorMod(unixNanos, NANOS);
        long fraction = ((nanos << 32) + NANOS / 2) / NANOS;
        return (seconds << 32) | fraction;      // the shift drops the era: seconds modulo 2^32
    }

    /**
     * The instant a timestamp names, in the era that puts it nearest to {@code nearUnixNanos}.
     *
     * @param ntp           a 64-bit NTP timestamp
     * @param nearUnixNanos a time within 68 years of the answer, usually the local clock
     * @return nanoseconds since the Unix epoch
     */
    public static long toUnixNanos(long ntp, long nearUnixNanos) {
        long nearSeconds = Math.floorDiv(nearUnixNanos, NANOS) + UNIX_EPOCH_SECONDS;   // since 1900, all eras
        long delta = (int) ((ntp >>> 32) - nearSeconds);       // signed distance modulo 2^32
        long seconds = nearSeconds + delta - UNIX_EPOCH_SECONDS;
        return seconds * NANOS + fractionNanos(ntp);
    }

    /**
     * The era of an instant: 0 from 1900 to 2036-02-07T06:28:16Z, then 1.
     *
     * @param unixNanos nanoseconds since the Unix epoch
     * @return the era number
     */
    public static long era(long unixNanos) {
        return Math.floorDiv(Math.floorDiv(unixNanos, NANOS) + UNIX_EPOCH_SECONDS, ERA_SECONDS);
    }

    /**
     * {@code a - b} as a signed 32.32 fixed-point number of seconds, right across an era
     * boundary (RFC 5905, section 6: differences are taken in two's complement).
     *
     * @param a a timestamp
     * @param b a timestamp within 68 years of {@code a}
     * @return the difference
     */
    public static long difference(long a, long b) {
        return a - b;
    }

    /**
     * A 32.32 fixed-point duration in nanoseconds.
     *
     * @param fixed seconds times 2^32, signed
     * @return nanoseconds, rounded towards negative infinity
     */
    public static long toNanos(long fixed) {
        return (fixed >> 32) * NANOS + fractionNanos(fixed);
    }

    /**
     * A 32.32 fixed-point duration in seconds.
     *
     * @param fixed seconds times 2^32, signed
     * @return seconds
     */
    public static double toSeconds(long fixed) {
        return fixed / 4294967296.0;
    }

    /** The low 32 bits as nanoseconds, rounded: 0 to 999,999,999, and exact for {@link #fromUnixNanos}'s. */
    private static long fractionNanos(long ntp) {
        return ((ntp & 0xFFFF_FFFFL) * NANOS + (1L << 31)) >>> 32;
    }

    /**
     * A non-negative duration in NTP's short format (16.16 fixed point, for root delay and
     * root dispersion), rounded up and saturated at the largest value.
     *
     * @param nanos a duration
     * @return the 32-bit field
     */
    public static int toShort(long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        if (nanos >= 65_536L * NANOS) {
            return -1;    // 0xFFFFFFFF
        }
        long seconds = nanos / NANOS;
        long rest = nanos % NANOS;
        long fraction = ((rest << 16) + NANOS - 1) / NANOS;
        return (int) ((seconds << 16) + fraction);
    }

    /**
     * A short-format field in nanoseconds.
     *
     * @param field the 32-bit 16.16 value
     * @return nanoseconds
     */
    public static long fromShort(int field) {
        long v = field & 0xFFFF_FFFFL;
        return (v >>> 16) * NANOS + (((v & 0xFFFF) * NANOS) >>> 16);
    }
}
