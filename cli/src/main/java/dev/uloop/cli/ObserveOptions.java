package dev.uloop.cli;

import dev.uloop.services.Observability;
import java.time.Duration;
import java.util.function.Function;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options of {@code uloop serve} that let a running server be watched: {@code --metrics}, {@code --slow-callback}. */
final class ObserveOptions {
    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "Answer GET /metrics on HOST:PORT (HTTP, Prometheus text format; port 0 picks a free one,"
                    + " [::1]:PORT for IPv6), served by loop 0; the ready line ends with its URL.")
    String metrics;

    @Option(names = "--slow-callback", paramLabel = "TIME", converter = DurationConverter.class,
            description = "Warn when a handler, timer or task holds a loop this long, e.g. 100ms or 1s"
                    + " (default: 100ms; 0 switches the warnings off).")
    Duration slowCallback;

    /**
     * The settings, checked.
     *
     * @param noLoops the option that serves without event loops ({@code --blocking},
     *                {@code --inetd}), which --metrics conflicts with, or null
     * @param usage   makes the bad-usage exception (exit status 2) for a message
     * @return metrics endpoint and slow-callback threshold
     */
    Observability settings(String noLoops, Function<String, ParameterException> usage) {
        Duration slow = slowCallback != null ? slowCallback : Observability.DEFAULT_SLOW_CALLBACK;
        if (metrics == null) {
            return new Observability(null, 0, slow);
        }
        if (noLoops != null) {
            throw usage.apply("--metrics and " + noLoops + " conflict: the metrics endpoint is served by the"
                    + " event loops and reports their figures");
        }
        int colon = metrics.lastIndexOf(':');
        String host = colon < 0 ? "" : metrics.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(metrics.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (colon < 0 || host.isEmpty() || port < 0 || port > 65535) {
            throw usage.apply("--metrics wants HOST:PORT, e.g. 127.0.0.1:9100 or [::1]:9100 (port 0 picks a"
                    + " free one), not '" + metrics + "'");
        }
        return new Observability(host, port, slow);
    }
}
