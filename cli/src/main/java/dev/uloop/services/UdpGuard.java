package dev.uloop.services;

import dev.uloop.net.Addresses;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
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
 * Memory is bounded: past {@value #MAX_SOURCES} sources, buckets that have refilled are
 * forgotten (they would be recreated full anyway); if all are still busy, every bucket is
 * forgotten, which only makes the limit more lenient for a moment.
 */
public final class UdpGuard {
    private static final System.Logger LOG = System.getLogger("uloop.services");

    /** Source ports never answered: echo, daytime, chargen, time and ntp. */
    public static final Set<Integer> LOOP_PORTS = Set.of(7, 13, 19, 37, 123);

    /** How many sources the rate limiter remembers before it forgets idle ones. */
    public static final int MAX_SOURCES = 4096;

    /** What to do with one datagram. */
    public enum Verdict {
        /** Answer it. */
        ANSWER,
        /** Drop it: it comes from a service port (or port 0). */
        LOOP_PORT,
        /** Drop it: its source is over the rate limit. */
        RATE_LIMITED
    }

    private static final class Bucket {
        double tokens;
        long updated;
    }

    private final int rate;
    private final LongSupplier nanoClock;
    private final Map<InetAddress, Bucket> buckets = new HashMap<>();
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
        if (ratePerSecond < 0) {
            throw new IllegalArgumentException("negative rate limit " + ratePerSecond);
        }
        this.rate = ratePerSecond;
        this.nanoClock = nanoClock;
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
        if (rate == 0 || takeToken(from.getAddress())) {
            return Verdict.ANSWER;
        }
        rateDrops.increment();
        return Verdict.RATE_LIMITED;
    }

    private synchronized boolean takeToken(InetAddress source) {
        long now = nanoClock.getAsLong();
        Bucket b = buckets.get(source);
        if (b == null) {
            if (buckets.size() >= MAX_SOURCES) {
                forgetIdle(now);
            }
            b = new Bucket();
            b.tokens = rate;
            b.updated = now;
            buckets.put(source, b);
        } else {
            refill(b, now);
        }
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return true;
        }
        return false;
    }

    private void refill(Bucket b, long now) {
        long elapsed = now - b.updated;
        if (elapsed > 0) {
            b.tokens = Math.min(rate, b.tokens + elapsed * (rate / 1e9));
            b.updated = now;
        }
    }

    private void forgetIdle(long now) {
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket b = it.next();
            refill(b, now);
            if (b.tokens >= rate) {
                it.remove();
            }
        }
        if (buckets.size() >= MAX_SOURCES) {
            buckets.clear();
        }
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
    public synchronized int trackedSources() {
        return buckets.size();
    }

    @Override
    public String toString() {
        return "UdpGuard[rate " + (rate == 0 ? "off" : rate + "/s") + ", dropped " + loopDrops() + " loop, "
                + rateDrops() + " rate]";
    }
}
