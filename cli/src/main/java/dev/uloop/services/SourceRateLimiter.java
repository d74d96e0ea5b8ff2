package dev.uloop.services;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A token bucket per source IP address: refilled at {@code ratePerSecond} tokens a second,
 * holding at most one second's worth, so a source gets a burst of {@code ratePerSecond}
 * and then that many a second.
 *
 * <p>Memory is bounded: past {@value #MAX_SOURCES} sources, buckets that have refilled are
 * forgotten (they would be recreated full anyway); if all are still busy, every bucket is
 * forgotten, which only makes the limit more lenient for a moment. Thread-safe.
 */
public final class SourceRateLimiter {
    /** How many sources are remembered before idle ones are forgotten. */
    public static final int MAX_SOURCES = 4096;

    private static final class Bucket {
        double tokens;
        long updated;
    }

    private final int rate;
    private final LongSupplier nanoClock;
    private final Map<InetAddress, Bucket> buckets = new HashMap<>();

    /**
     * A limiter.
     *
     * @param ratePerSecond tokens a second per source, at least 1
     * @param nanoClock     a monotonic clock in nanoseconds, like {@link System#nanoTime()}
     */
    public SourceRateLimiter(int ratePerSecond, LongSupplier nanoClock) {
        if (ratePerSecond < 1) {
            throw new IllegalArgumentException("rate " + ratePerSecond + " per second; at least 1");
        }
        this.rate = ratePerSecond;
        this.nanoClock = nanoClock;
    }

    /**
     * Takes a token for a source.
     *
     * @param source the source address
     * @return true if the source is within its rate
     */
    public synchronized boolean tryAcquire(InetAddress source) {
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
     * The rate.
     *
     * @return tokens a second per source
     */
    public int ratePerSecond() {
        return rate;
    }

    /**
     * Sources currently remembered.
     *
     * @return how many
     */
    public synchronized int trackedSources() {
        return buckets.size();
    }
}
