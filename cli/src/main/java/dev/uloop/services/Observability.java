package dev.uloop.services;

import java.time.Duration;
import java.util.Objects;

/**
 * How a server lets itself be watched: a metrics endpoint and slow-callback warnings.
 *
 * @param metricsHost  the address the metrics endpoint binds, or null for none
 * @param metricsPort  its port (0 picks a free one; ignored without a host)
 * @param slowCallback a handler, timer or task that holds a loop this long logs a warning;
 *                     zero for never
 */
public record Observability(String metricsHost, int metricsPort, Duration slowCallback) {
    /** No metrics endpoint, no slow-callback warnings: the library's defaults. */
    public static final Observability NONE = new Observability(null, 0, Duration.ZERO);
    /** The slow-callback threshold of {@code uloop serve}. */
    public static final Duration DEFAULT_SLOW_CALLBACK = Duration.ofMillis(100);

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException for a port outside 0..65535 or a negative threshold
     */
    public Observability {
        Objects.requireNonNull(slowCallback, "slowCallback");
        if (metricsPort < 0 || metricsPort > 65535) {
            throw new IllegalArgumentException("metrics port " + metricsPort + " is out of range");
        }
        if (slowCallback.isNegative()) {
            throw new IllegalArgumentException("negative slow-callback threshold " + slowCallback);
        }
    }

    /**
     * Whether a metrics endpoint is asked for.
     *
     * @return true with a host
     */
    public boolean metrics() {
        return metricsHost != null;
    }
}
