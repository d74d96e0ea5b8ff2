package dev.uloop.services;

import dev.uloop.net.Addresses;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Decides which datagrams a UDP service answers, inetd style, so that two services cannot
 * be made to bounce datagrams at each other forever and a spoofed source cannot turn the
 * server into a flood cannon.
 *
 * <ul>
 * <li><b>Loop protection</b>: a datagram whose source port is one of the small services'
 *     ports ({@link #LOOP_PORTS}: echo 7, daytime 13, chargen 19, time 37, ntp 123) is
 *     never answered; neither is one from port 0, which cannot be answered.</li>
 * <li><b>Rate limit</b> (optional): a token bucket per source IP address, refilled at
 *     {@code ratePerSecond} datagrams a second and holding at most one second's worth, so a
 *     source gets a burst of {@code ratePerSecond} and then that many a second.</li>
 * </ul>
 * Dropped datagrams are counted and logged at DEBUG (logger {@code uloop.services}).
 *
 * <p>Thread-safe: a server on several event loops shares one guard between its loops, so
 * that the rate limit stays per source whichever loop a datagram reaches.
 * Memory is bounded (see {@link SourceRateLimiter}).
 */
public final class UdpGuard {
    private static final System.Logger LOG = System.getLogger("uloop.services");

    /** Source ports never answered: echo, daytime, chargen, time and ntp. */
    public static final Set<Integer> LOOP_PORTS = Set.of(7, 13, 19, 37, 123);

    /** How many sources the rate limiter remembers before it forgets idle ones. */
    public static final int MAX_SOURCES = SourceRateLimiter.MAX_SOURCES;

    /** What to do with one datagram. */
    public enum Verdict {
        /** Answer it. */
        ANSWER,
        /** Drop it: it comes from a service port (or port 0). */
        LOOP_PORT,
        /** Drop it: its source is over the rate limit. */
        RATE_LIMITED
    }

    private final int rate;
    private final SourceRateLimiter limiter;
    private final LongAdder loopDrops = new LongAdder();
    private final LongAdder rateDrops = new LongAdder();

    /**
     * A guard on the system clock.
     *
     * @param ratePerSecond datagrams a second per source IP; 0 for no limit
     */
    public UdpGuard(int ratePerSecond) {
        this(ratePerSecond, System::nanoTime);
    }

    /**
     * A guard on a given clock (for tests).
     *
     * @param ratePerSecond datagrams a second per source IP; 0 for no limit
     * @param nanoClock     a monotonic clock in nanoseconds, like {@link System#nanoTime()}
     */
    public UdpGuard(int ratePerSecond, LongSupplier nanoClock) {
        this(RateLimit.NONE.withPerSecond(ratePerSecond), nanoClock);
    }

    /**
     * A guard with a rate limit that groups sources by the given prefixes.
     *
     * @param limit     datagrams a second per source, and the prefixes that make a source
     * @param nanoClock a monotonic clock in nanoseconds, like {@link System#nanoTime()}
     */
    public UdpGuard(RateLimit limit, LongSupplier nanoClock) {
        this.rate = limit.perSecond();
        this.limiter = limit.newLimiter(nanoClock);
    }

    /**
     * Whether to answer a datagram; counts and logs it when not.
     *
     * @param from the datagram's source
     * @return true to answer
     */
    public boolean allow(InetSocketAddress from) {
        Verdict v = check(from);
        if (v == Verdict.ANSWER) {
            return true;
        }
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "dropped a datagram from " + Addresses.format(from)
                    + (v == Verdict.LOOP_PORT ? ": source is a service port (loop protection)" : ": over the rate limit"));
        }
        return false;
    }

    /**
     * Judges a datagram and counts it when it is dropped (without logging).
     *
     * @param from the datagram's source
     * @return the verdict
     */
    public Verdict check(InetSocketAddress from) {
        int port = from.getPort();
        if (port == 0 || LOOP_PORTS.contains(port)) {
            loopDrops.increment();
            return Verdict.LOOP_PORT;
        }
        if (limiter == null || limiter.tryAcquire(from.getAddress())) {
            return Verdict.ANSWER;
        }
        rateDrops.increment();
        return Verdict.RATE_LIMITED;
    }

    /**
     * The rate limit.
     *
     * @return datagrams a second per source IP, 0 when off
     */
    public int ratePerSecond() {
        return rate;
    }

    /**
     * Datagrams dropped by the loop protection.
     *
     * @return the count
     */
    public long loopDrops() {
        return loopDrops.sum();
    }

    /**
     * Datagrams dropped by the rate limit.
     *
     * @return the count
     */
    public long rateDrops() {
        return rateDrops.sum();
    }

    /**
     * Sources the rate limiter currently remembers.
     *
     * @return how many
     */
    public int trackedSources() {
        return limiter == null ? 0 : limiter.trackedSources();
    }

    @Override
    public String toString() {
        return "UdpGuard[rate " + (rate == 0 ? "off" : rate + "/s") + ", dropped " + loopDrops() + " loop, "
                + rateDrops() + " rate]";
    }
}
