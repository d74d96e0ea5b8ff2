package dev.uloop.services;

import java.util.function.LongSupplier;

/**
 * The per-source UDP rate limit of a service: how many datagrams a second a source may
 * have answered, and how sources are grouped, by IPv4 and IPv6 prefix (as BIND's response
 * rate limiting and chrony's client table do), so that an attacker with a whole /64 counts
 * as one source, not as 2^64.
 *
 * @param perSecond datagrams a second per source, 0 for no limit
 * @param prefix4   the IPv4 prefix length sources are grouped by, 1 to 32 (32: each address)
 * @param prefix6   the IPv6 prefix length sources are grouped by, 1 to 128 (128: each address)
 */
public record RateLimit(int perSecond, int prefix4, int prefix6) {
    /** No limit (with the default prefixes, should one be set later). */
    public static final RateLimit NONE =
            new RateLimit(0, SourceRateLimiter.DEFAULT_PREFIX4, SourceRateLimiter.DEFAULT_PREFIX6);

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException for a negative rate or a prefix length out of range
     */
    public RateLimit {
        if (perSecond < 0) {
            throw new IllegalArgumentException("negative rate limit " + perSecond);
        }
        if (prefix4 < 1 || prefix4 > 32) {
            throw new IllegalArgumentException("IPv4 prefix /" + prefix4 + "; choose 1 to 32");
        }
        if (prefix6 < 1 || prefix6 > 128) {
            throw new IllegalArgumentException("IPv6 prefix /" + prefix6 + "; choose 1 to 128");
        }
    }

    /**
     * A copy with another rate.
     *
     * @param n datagrams a second per source, 0 for no limit
     * @return a copy with that rate and the same prefixes
     */
    public RateLimit withPerSecond(int n) {
        return new RateLimit(n, prefix4, prefix6);
    }

    /**
     * A copy that groups sources by other prefixes.
     *
     * @param v4 the IPv4 prefix length, 1 to 32
     * @param v6 the IPv6 prefix length, 1 to 128
     * @return a copy with those prefixes and the same rate
     */
    public RateLimit withPrefixes(int v4, int v6) {
        return new RateLimit(perSecond, v4, v6);
    }

    /**
     * A limiter that enforces this limit, on the given clock.
     *
     * @param nanoClock a monotonic clock in nanoseconds
     * @return the limiter, or null when there is no limit
     */
    SourceRateLimiter newLimiter(LongSupplier nanoClock) {
        return perSecond == 0 ? null
                : new SourceRateLimiter(perSecond, prefix4, prefix6, SourceRateLimiter.MAX_SOURCES, nanoClock);
    }
}
