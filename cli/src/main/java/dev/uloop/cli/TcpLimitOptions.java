package dev.uloop.cli;

import dev.uloop.services.Service;
import dev.uloop.services.TcpLimits;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options of {@code uloop serve} that bound what TCP clients can hold: connection
 * limits, as xinetd's {@code instances} and {@code per_source}, and the idle timeout.
 */
final class TcpLimitOptions {
    @Option(names = "--max-connections", paramLabel = "N",
            description = "TCP: at most N connections open at once, for all loops together (xinetd's instances);"
                    + " one more is closed at once, counted in the stop and status lines, and logged at most once"
                    + " every 10 s (default: 0, no limit).")
    Integer maxConnections;

    @Option(names = "--max-per-source", paramLabel = "N",
            description = "TCP: at most N connections open at once from one client IP address (xinetd's per_source;"
                    + " default: 0, no limit).")
    Integer maxPerSource;

    @Option(names = "--idle-timeout", paramLabel = "D", converter = DurationConverter.class,
            description = "TCP: close a connection that has neither received nor sent for D, e.g. 30s or 500ms"
                    + " (default: never). With --blocking: that long without receiving.")
    Duration idleTimeout;

    /**
     * The limits, checked against the service and the other options.
     *
     * @param spec    the command, for usage errors
     * @param service what is served
     * @param servesTcp whether TCP is served (not with --udp or --unix alone)
     * @param inetd   --inetd was given
     * @throws ParameterException for bad usage (exit status 2)
     */
    TcpLimits limits(CommandSpec spec, Service service, boolean servesTcp, boolean inetd) {
        String option = maxConnections != null ? "--max-connections" : maxPerSource != null ? "--max-per-source"
                : idleTimeout != null ? "--idle-timeout" : null;
        if (option == null) {
            return TcpLimits.NONE;
        }
        if (!servesTcp) {
            throw usage(spec, option + " applies to TCP only; " + (service.udpOnly() ? service.id()
                    + " is served over UDP only" : "TCP is not served here: add --tcp"));
        }
        if (inetd && (maxConnections != null || maxPerSource != null)) {
            throw usage(spec, "--inetd and " + (maxConnections != null ? "--max-connections" : "--max-per-source")
                    + " conflict: with --inetd one connection is served; inetd or xinetd limits the instances");
        }
        if (maxConnections != null && maxConnections < 0) {
            throw usage(spec, "--max-connections must be 0 (no limit) or more, got " + maxConnections);
        }
        if (maxPerSource != null && maxPerSource < 0) {
            throw usage(spec, "--max-per-source must be 0 (no limit) or more, got " + maxPerSource);
        }
        if (idleTimeout != null && idleTimeout.isZero()) {
            throw usage(spec, "--idle-timeout must be more than 0 (leave it out for no timeout), got "
                    + idleTimeout.toMillis() + " ms");
        }
        return new TcpLimits(maxConnections != null ? maxConnections : 0, maxPerSource != null ? maxPerSource : 0,
                idleTimeout);
    }

    private static ParameterException usage(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
