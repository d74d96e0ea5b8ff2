package dev.uloop.services;

import dev.uloop.sntp.SntpSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * What to serve and how: one record shared by the event-loop and the blocking servers.
 * Start from {@link #of(Service)} and change what differs with the {@code with} methods.
 *
 * @param service       the service
 * @param host          the address to bind (a name or a literal)
 * @param port          the port; 0 picks a free one
 * @param tcp           serve TCP
 * @param udp           serve UDP (with neither, a server serves only the Unix sockets it is given)
 * @param format        the daytime format (ignored by other services)
 * @param rateLimit     UDP datagrams a second per source, and the prefixes that make a source
 * @param grace         how long a stop lets queued writes drain before closing anyway
 * @param statsInterval how often to log an INFO line with counters; null for never
 * @param sntp          stratum, reference ID and KoD of the sntp service (ignored by others)
 * @param limits        TCP connection limits and idle timeout
 * @param observability metrics endpoint and slow-callback warnings (event loops only)
 * @param spin          how long each event loop polls without waiting before it waits
 *                      ({@link dev.uloop.EventLoop#spin}, latency mode); zero for never
 */
public record ServiceConfig(Service service, String host, int port, boolean tcp, boolean udp,
                            DaytimeFormat format, RateLimit rateLimit, Duration grace, Duration statsInterval,
                            SntpSettings sntp, TcpLimits limits,
                            Observability observability, Duration spin) {
    /** The default host: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The default grace period of a stop. */
    public static final Duration DEFAULT_GRACE = Duration.ofMillis(2000);

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException for a port outside 0..65535, TCP for a UDP-only
     *                                  service, or a negative grace or spin
     */
    public ServiceConfig {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(sntp, "sntp");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(observability, "observability");
        Objects.requireNonNull(spin, "spin");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range");
        }
        if (tcp && service.udpOnly()) {
            throw new IllegalArgumentException(service.id() + " is served over UDP only");
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("negative grace " + grace);
        }
        if (spin.isNegative()) {
            throw new IllegalArgumentException("negative spin " + spin);
        }
    }

    /**
     * The defaults: 127.0.0.1 on the service's default port, TCP and UDP (UDP only for
     * sntp), seed format, no rate limit, 2 s grace, no periodic stats, chrony's local
     * stratum and reference ID, no TCP limits, no metrics endpoint, no slow-callback
     * warnings and no spin.
     *
     * @param service the service
     * @return the settings
     */
    public static ServiceConfig of(Service service) {
        return new ServiceConfig(service, DEFAULT_HOST, service.defaultPort(), !service.udpOnly(), true,
                DaytimeFormat.SEED, RateLimit.NONE, DEFAULT_GRACE, null, SntpSettings.DEFAULT, TcpLimits.NONE,
                Observability.NONE, Duration.ZERO);
    }

    /**
     * A copy bound to another address.
     *
     * @param h the address to bind
     * @return a copy with that host
     */
    public ServiceConfig withHost(String h) {
        return new ServiceConfig(service, h, port, tcp, udp, format, rateLimit, grace, statsInterval, sntp, limits,
                observability, spin);
    }

    /**
     * A copy on another port.
     *
     * @param p the port, 0 for any
     * @return a copy with that port
     */
    public ServiceConfig withPort(int p) {
        return new ServiceConfig(service, host, p, tcp, udp, format, rateLimit, grace, statsInterval, sntp, limits,
                observability, spin);
    }

    /**
     * A copy serving other protocols.
     *
     * @param t serve TCP
     * @param u serve UDP
     * @return a copy serving those protocols
     */
    public ServiceConfig withProtocols(boolean t, boolean u) {
        return new ServiceConfig(service, host, port, t, u, format, rateLimit, grace, statsInterval, sntp, limits,
                observability, spin);
    }

    /**
     * A copy with another daytime format.
     *
     * @param f the daytime format
     * @return a copy with that format
     */
    public ServiceConfig withFormat(DaytimeFormat f) {
        return new ServiceConfig(service, host, port, tcp, udp, f, rateLimit, grace, statsInterval, sntp, limits,
                observability, spin);
    }

    /**
     * A copy with another UDP rate limit.
     *
     * @param r datagrams a second per source, 0 for no limit
     * @return a copy with that rate limit (and the same prefixes)
     * @throws IllegalArgumentException if {@code r} is negative
     */
    public ServiceConfig withRateLimit(int r) {
        return withRateLimit(rateLimit.withPerSecond(r));
    }

    /**
     * A copy with another UDP rate limit.
     *
     * @param r datagrams a second per source, and the prefixes that make a source
     * @return a copy with that rate limit
     */
    public ServiceConfig withRateLimit(RateLimit r) {
        return new ServiceConfig(service, host, port, tcp, udp, format, r, grace, statsInterval, sntp, limits,
                observability, spin);
    }

    /**
     * A copy with another grace period.
     *
     * @param g the grace period of a stop
     * @return a copy with that grace
     */
    public ServiceConfig withGrace(Duration g) {
        return new ServiceConfig(service, host, port, tcp, udp, format, rateLimit, g, statsInterval, sntp, limits,
                observability, spin);
    }

    /**
     * A copy that logs counters at another interval.
     *
     * @param every how often to log counters, null for never
     * @return a copy with that interval
     */
    public ServiceConfig withStatsInterval(Duration every) {
        return new ServiceConfig(service, host, port, tcp, udp, format, rateLimit, grace, every, sntp, limits,
                observability, spin);
    }

    /**
     * A copy with other SNTP settings.
     *
     * @param s stratum, reference ID, KoD
     * @return a copy with those settings
     */
    public ServiceConfig withSntp(SntpSettings s) {
        return new ServiceConfig(service, host, port, tcp, udp, format, rateLimit, grace, statsInterval, s, limits,
                observability, spin);
    }

    /**
     * A copy with other TCP connection limits and idle timeout.
     *
     * @param l the limits
     * @return a copy with those limits
     */
    public ServiceConfig withLimits(TcpLimits l) {
        return new ServiceConfig(service, host, port, tcp, udp, format, rateLimit, grace, statsInterval, sntp, l,
                observability, spin);
    }

    /**
     * A copy with another metrics endpoint and slow-callback threshold.
     *
     * @param o what to observe
     * @return a copy with those settings
     */
    public ServiceConfig withObservability(Observability o) {
        return new ServiceConfig(service, host, port, tcp, udp, format, rateLimit, grace, statsInterval, sntp, limits,
                o, spin);
    }

    /**
     * A copy whose event loops spin before they wait (latency mode).
     *
     * @param d how long each loop polls without waiting before it waits; zero for never
     * @return a copy with that spin
     */
    public ServiceConfig withSpin(Duration d) {
        return new ServiceConfig(service, host, port, tcp, udp, format, rateLimit, grace, statsInterval, sntp, limits,
                observability, d);
    }
}
