package dev.uloop.services;

import dev.uloop.net.ConnectionLimiter;
import dev.uloop.net.SocketOptions;
import java.time.Duration;

/**
 * The limits of a TCP service, as xinetd's {@code instances} and {@code per_source}, and its
 * idle timeout: the same for the event-loop and the blocking servers.
 *
 * @param maxConnections connections open at once, 0 for no limit
 * @param maxPerSource   connections open at once from one client IP address, 0 for no limit
 * @param idleTimeout    closes a connection that has neither received nor sent for this
 *                       long; null for never
 */
public record TcpLimits(int maxConnections, int maxPerSource, Duration idleTimeout) {
    /** No limits, no idle timeout. */
    public static final TcpLimits NONE = new TcpLimits(0, 0, null);

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException for a negative limit or a timeout that is not positive
     */
    public TcpLimits {
        if (maxConnections < 0) {
            throw new IllegalArgumentException("negative connection limit " + maxConnections);
        }
        if (maxPerSource < 0) {
            throw new IllegalArgumentException("negative per-source connection limit " + maxPerSource);
        }
        if (idleTimeout != null && (idleTimeout.isZero() || idleTimeout.isNegative())) {
            throw new IllegalArgumentException("the idle timeout must be positive, not " + idleTimeout);
        }
    }

    /** Whether a connection limit is set. */
    boolean limitsConnections() {
        return maxConnections > 0 || maxPerSource > 0;
    }

    /** {@code options} with these limits and timeout. */
    SocketOptions applyTo(SocketOptions options) {
        return options.maxConnections(maxConnections).maxConnectionsPerSource(maxPerSource).idleTimeout(idleTimeout);
    }

    /** A limiter for a blocking server, or null without limits. */
    ConnectionLimiter newLimiter() {
        return limitsConnections() ? new ConnectionLimiter(maxConnections, maxPerSource) : null;
    }

    /**
     * What the limits did, for the counters line: {@code ", 5 refused (3 over
     * --max-connections, 2 over --max-per-source), 1 closed idle"}; empty without limits.
     */
    String summary(ConnectionLimiter limiter, long closedIdle) {
        StringBuilder sb = new StringBuilder();
        if (limiter != null) {
            sb.append(", ").append(limiter.refusedCount()).append(" refused");
            if (limiter.refusedCount() > 0) {
                sb.append(" (").append(limiter.refusedOverTotalCount()).append(" over --max-connections, ")
                        .append(limiter.refusedOverSourceCount()).append(" over --max-per-source)");
            }
        }
        if (idleTimeout != null) {
            sb.append(", ").append(closedIdle).append(" closed idle");
        }
        return sb.toString();
    }
}
