package dev.uloop.services;

import dev.uloop.WallClock;
import dev.uloop.net.Addresses;
import dev.uloop.sntp.NtpPacket;
import dev.uloop.sntp.SntpResponder;
import dev.uloop.sntp.SntpSettings;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The SNTP service: answers client requests (mode 3) and drops everything else without a
 * reply (see {@link NtpPacket#checkRequest}); the mode rules, not a source-port filter,
 * keep two servers from answering each other, so requests from port 123 are answered.
 * Only port 0, which cannot be answered, is refused.
 *
 * <p>With a rate limit, a source over it gets nothing, or with
 * {@link SntpSettings#kissOfDeath()} a KoD {@code RATE} reply, itself limited to one a
 * second per source. Every reply is 48 bytes, never more than the request.
 * Allocates nothing per datagram: each thread reuses its own reply buffer. Thread-safe, so
 * that the loops of a group share one answerer and the rate limit stays per source.
 */
final class SntpAnswerer implements DatagramAnswerer {
    private static final System.Logger LOG = System.getLogger("uloop.services");

    private final SntpResponder responder;
    private final SourceRateLimiter limiter;
    private final SourceRateLimiter kodLimiter;
    /** One reply buffer per thread: a server on several loops shares one answerer (and its limits). */
    private final ThreadLocal<ByteBuffer> replies =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(NtpPacket.HEADER));
    private final LongSupplier wallClock;
    private final LongAdder[] malformed = new LongAdder[NtpPacket.Check.values().length];
    private final LongAdder rateDrops = new LongAdder();
    private final LongAdder kissOfDeath = new LongAdder();
    private final LongAdder portZero = new LongAdder();

    /**
     * An answerer on the system clocks.
     *
     * @param responder     builds replies
     * @param ratePerSecond requests a second per source IP, 0 for no limit
     */
    SntpAnswerer(SntpResponder responder, RateLimit limit) {
        this(responder, limit, WallClock::nanos, System::nanoTime);
    }

    /**
     * An answerer on given clocks (for tests).
     *
     * @param responder     builds replies
     * @param ratePerSecond requests a second per source IP, 0 for no limit
     * @param wallClock     the wall clock for transmit timestamps, nanoseconds since the Unix epoch
     * @param nanoClock     a monotonic clock for the rate limit
     */
    SntpAnswerer(SntpResponder responder, int ratePerSecond, LongSupplier wallClock, LongSupplier nanoClock) {
        this(responder, RateLimit.NONE.withPerSecond(ratePerSecond), wallClock, nanoClock);
    }

    /**
     * An answerer on given clocks whose limit groups sources by the given prefixes.
     *
     * @param responder builds replies
     * @param limit     requests a second per source, and the prefixes that make a source
     * @param wallClock the wall clock for transmit timestamps, nanoseconds since the Unix epoch
     * @param nanoClock a monotonic clock for the rate limit
     */
    SntpAnswerer(SntpResponder responder, RateLimit limit, LongSupplier wallClock, LongSupplier nanoClock) {
        this.responder = responder;
        this.limiter = limit.newLimiter(nanoClock);
        this.kodLimiter = limit.perSecond() == 0 || !responder.settings().kissOfDeath() ? null
                : limit.withPerSecond(1).newLimiter(nanoClock);
        this.wallClock = wallClock;
        for (int i = 0; i < malformed.length; i++) {
            malformed[i] = new LongAdder();
        }
    }

    @Override
    public ByteBuffer answer(ByteBuffer request, InetSocketAddress from, long receiveNanos) {
        if (from.getPort() == 0) {
            portZero.increment();
            return null;
        }
        NtpPacket.Check check = NtpPacket.checkRequest(request);
        ByteBuffer reply = replies.get();
        if (check != NtpPacket.Check.OK) {
            malformed[check.ordinal()].increment();
            if (LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, "sntp: dropped " + request.remaining() + " bytes from " + Addresses.format(from)
                        + ": " + check.reason());
            }
            return null;
        }
        if (limiter != null && !limiter.tryAcquire(from.getAddress())) {
            if (kodLimiter != null && kodLimiter.tryAcquire(from.getAddress())) {
                kissOfDeath.increment();
                responder.kissOfDeath(request, SntpResponder.KISS_RATE, reply);
                return reply;
            }
            rateDrops.increment();
            return null;
        }
        responder.reply(request, receiveNanos, reply);
        return reply;
    }

    @Override
    public void beforeSend(ByteBuffer r) {
        SntpResponder.stampTransmit(r, wallClock.getAsLong());
    }

    @Override
    public boolean wantsReceiveTime() {
        return true;
    }

    /**
     * Requests dropped for one reason.
     *
     * @param check the reason
     * @return the count
     */
    long dropped(NtpPacket.Check check) {
        return malformed[check.ordinal()].sum();
    }

    /**
     * Requests dropped for the rate limit (without a KoD).
     *
     * @return the count
     */
    long rateDrops() {
        return rateDrops.sum();
    }

    /**
     * KoD RATE replies sent.
     *
     * @return the count
     */
    long kissesOfDeath() {
        return kissOfDeath.sum();
    }

    @Override
    public java.util.Map<String, Long> dropsByReason() {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (NtpPacket.Check c : NtpPacket.Check.values()) {
            if (c != NtpPacket.Check.OK) {
                m.put(c.name().toLowerCase(java.util.Locale.ROOT), malformed[c.ordinal()].sum());
            }
        }
        m.put("rate", rateDrops.sum());
        m.put("port_zero", portZero.sum());
        return m;
    }

    @Override
    public String drops() {
        long bad = 0;
        for (LongAdder a : malformed) {
            bad += a.sum();
        }
        long total = bad + rateDrops.sum() + portZero.sum();
        return total + " dropped (" + bad + " not a valid request, " + rateDrops.sum() + " rate"
                + (portZero.sum() > 0 ? ", " + portZero.sum() + " from port 0" : "") + ")"
                + (kodLimiter != null ? ", " + kissOfDeath.sum() + " KoD RATE sent" : "");
    }
}
