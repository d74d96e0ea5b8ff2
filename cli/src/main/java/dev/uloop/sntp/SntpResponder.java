package dev.uloop.sntp;

import dev.uloop.WallClock;
import java.nio.ByteBuffer;

/**
 * Builds server replies (mode 4) to requests that {@link NtpPacket#checkRequest} passed.
 * Allocates nothing: the caller owns the reply buffer and reuses it.
 *
 * <table>
 * <caption>Reply fields</caption>
 * <tr><th>field</th><th>value</th></tr>
 * <tr><td>LI</td><td>0 (no leap second pending)</td></tr>
 * <tr><td>VN</td><td>the request's version (1 to 4)</td></tr>
 * <tr><td>Mode</td><td>4 (server)</td></tr>
 * <tr><td>Stratum</td><td>{@link SntpSettings#stratum()} (default 10)</td></tr>
 * <tr><td>Poll</td><td>copied from the request</td></tr>
 * <tr><td>Precision</td><td>log2 of the clock's measured step ({@link #measurePrecision()})</td></tr>
 * <tr><td>Root Delay</td><td>0: the clock is its own reference</td></tr>
 * <tr><td>Root Dispersion</td><td>one clock step, rounded up to the field's unit (15 us)</td></tr>
 * <tr><td>Reference ID</td><td>{@link SntpSettings#refId()} (default 127.127.1.1)</td></tr>
 * <tr><td>Reference Timestamp</td><td>the receive time: the local clock is the reference, read now</td></tr>
 * <tr><td>Origin Timestamp</td><td>the request's Transmit Timestamp, copied bit for bit</td></tr>
 * <tr><td>Receive Timestamp</td><td>when the request arrived (the kernel's stamp where there is one)</td></tr>
 * <tr><td>Transmit Timestamp</td><td>the clock read just before the send ({@link #stampTransmit})</td></tr>
 * </table>
 * A kiss-o'-death {@code RATE} reply ({@link #kissOfDeath}) has LI 3, stratum 0 and
 * the kiss code in the reference ID, and carries no time of its own: Origin, Receive and
 * Transmit Timestamps all repeat the request's Transmit Timestamp, as ntpd does.
 */
public final class SntpResponder {
    /** The kiss code of a rate-limited request. */
    public static final int KISS_RATE = SntpSettings.parseRefId("RATE");

    private final SntpSettings settings;
    private final byte precision;
    private final int rootDispersion;

    /**
     * A responder for this machine's clock.
     *
     * @param settings stratum, reference ID
     */
    public SntpResponder(SntpSettings settings) {
        this(settings, measurePrecision());
    }

    /**
     * A responder with a given precision (for tests).
     *
     * @param settings  stratum, reference ID
     * @param precision log2 of the clock's step in seconds, for example -24
     */
    public SntpResponder(SntpSettings settings, int precision) {
        this.settings = settings;
        this.precision = (byte) precision;
        this.rootDispersion = NtpTime.toShort((long) Math.ceil(Math.scalb(1e9, precision)));
    }

    /**
     * Writes the reply to {@code request} into {@code out}: 48 bytes, Transmit Timestamp
     * still 0 until {@link #stampTransmit}.
     *
     * @param request      a checked client request, position to limit
     * @param receiveNanos when it arrived, nanoseconds since the Unix epoch
     * @param out          the reply buffer, at least 48 bytes; cleared, then position 0 and limit 48
     */
    public void reply(ByteBuffer request, long receiveNanos, ByteBuffer out) {
        long received = NtpTime.fromUnixNanos(receiveNanos);
        out.clear();
        out.put(NtpPacket.firstByte(0, NtpPacket.version(request), NtpPacket.MODE_SERVER))
                .put((byte) settings.stratum())
                .put(NtpPacket.getByte(request, NtpPacket.POLL))
                .put(precision)
                .putInt(0)
                .putInt(rootDispersion)
                .putInt(settings.refId())
                .putLong(received)
                .putLong(NtpPacket.getTimestamp(request, NtpPacket.TRANSMIT_TIME))
                .putLong(received)
                .putLong(0)
                .flip();
    }

    /**
     * Writes a kiss-o'-death reply: the client must stop asking (RATE) for a while.
     *
     * @param request  a checked client request
     * @param kissCode the code, for example {@link #KISS_RATE}
     * @param out      the reply buffer; cleared, then position 0 and limit 48
     */
    public void kissOfDeath(ByteBuffer request, int kissCode, ByteBuffer out) {
        long theirs = NtpPacket.getTimestamp(request, NtpPacket.TRANSMIT_TIME);
        out.clear();
        out.put(NtpPacket.firstByte(NtpPacket.LEAP_UNSYNCHRONISED, NtpPacket.version(request), NtpPacket.MODE_SERVER))
                .put((byte) 0)
                .put(NtpPacket.getByte(request, NtpPacket.POLL))
                .put(precision)
                .putInt(0)
                .putInt(0)
                .putInt(kissCode)
                .putLong(0)
                .putLong(theirs)
                .putLong(theirs)
                .putLong(theirs)
                .flip();
    }

    /**
     * Sets the Transmit Timestamp of a reply, unless it is a kiss-o'-death: call it as
     * late as possible, right before the send.
     *
     * @param reply        a reply from {@link #reply}
     * @param transmitNanos the wall clock now, nanoseconds since the Unix epoch
     */
    public static void stampTransmit(ByteBuffer reply, long transmitNanos) {
        if (NtpPacket.getByte(reply, NtpPacket.STRATUM) != 0) {
            NtpPacket.putTimestamp(reply, NtpPacket.TRANSMIT_TIME, NtpTime.fromUnixNanos(transmitNanos));
        }
    }

    /**
     * The precision field sent.
     *
     * @return log2 of the clock step in seconds
     */
    public int precision() {
        return precision;
    }

    /**
     * The settings.
     *
     * @return stratum, reference ID, KoD
     */
    public SntpSettings settings() {
        return settings;
    }

    /**
     * Measures the clock's precision as NTP states it: log2 of the smallest step between
     * two readings of the wall clock (but not finer than the resolution the system claims),
     * in seconds, rounded up. A clock that reads to the nanosecond but takes 25 ns per
     * reading has precision -25 (2^-25 s = 30 ns).
     *
     * @return the exponent, for example -25
     */
    public static int measurePrecision() {
        long step = Long.MAX_VALUE;
        long last = WallClock.nanos();
        for (int i = 0; i < 2000; i++) {
            long t = WallClock.nanos();
            if (t > last) {
                step = Math.min(step, t - last);
            }
            last = t;
        }
        step = Math.max(step == Long.MAX_VALUE ? 1_000_000 : step, WallClock.resolutionNanos());
        return precisionOf(step);
    }

    /**
     * The precision field for a clock step.
     *
     * @param stepNanos the clock's step, at least 1 ns
     * @return ceil(log2(step in seconds)), for example -29 for 1 ns, -19 for 1 us
     */
    public static int precisionOf(long stepNanos) {
        return (int) Math.ceil(Math.log(stepNanos / 1e9) / Math.log(2));
    }
}
