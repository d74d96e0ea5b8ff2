package dev.uloop.services;

import dev.uloop.Backend;
import dev.uloop.EventLoopGroup;
import dev.uloop.LoopStats;
import dev.uloop.net.InheritedSocket;
import dev.uloop.net.SocketOptions;
import dev.uloop.net.TcpServer;
import dev.uloop.net.TcpServerGroup;
import dev.uloop.net.UdpEndpointGroup;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * A service on event loops: an {@link EventLoopGroup} of one loop (the default) or more,
 * each on its own thread, with a {@link TcpServerGroup} and a {@link UdpEndpointGroup}
 * bound before the loops start. With more than one loop every loop has its own sockets on
 * the port (SO_REUSEPORT) and the kernel spreads connections and datagrams over them. The
 * sockets are dual stack: bound to {@code ::}, they serve IPv4 clients too (as the blocking
 * server's JDK sockets do).
 * {@link #stop()} is the group's graceful shutdown: the UDP sockets close, the TCP servers
 * stop accepting and let their connections flush within the grace period (one deadline for
 * all loops), then the loops stop and close.
 */
final class LoopServer implements Server {
    private static final System.Logger LOG = ServerSupport.LOG;

    private final ServiceConfig config;
    private final Backend backend;
    private final int loops;
    private final InheritedSocket inheritedTcp;     // from systemd: served instead of binding, or null
    private final InheritedSocket inheritedUdp;
    private final UnixConfig unix;
    private final List<InheritedSocket> inheritedUnix;   // from systemd: Unix sockets to serve, or none
    private UnixServing unixServing;
    private EventLoopGroup group;
    private TcpServerGroup tcp;
    private UdpEndpointGroup udp;
    private DatagramAnswerer answerer;
    /** How often each loop runs an empty timer when metrics are on, so that its lag is measured even without timers or tasks of its own. */
    static final Duration LAG_PROBE = Duration.ofMillis(100);
    private TcpServer metrics;                   // the metrics endpoint on loop 0, or null

    LoopServer(ServiceConfig config, Backend backend, int loops) {
        this(config, backend, loops, List.of());
    }

    /**
     * A server on the sockets another process bound (systemd's socket activation): at most
     * one listening TCP socket and one UDP socket, which decide what is served; the
     * configuration's host and port are not used. With several loops, loop 0 accepts and
     * hands the connections to the loops in turn, and one UDP endpoint on loop 0 answers.
     */
    LoopServer(ServiceConfig config, Backend backend, int loops, List<InheritedSocket> sockets) {
        this(config, backend, loops, sockets, UnixConfig.NONE);
    }

    /** A server that also serves the Unix sockets of {@code unix}, on loop 0. */
    LoopServer(ServiceConfig config, Backend backend, int loops, List<InheritedSocket> sockets, UnixConfig unix) {
        this.unix = Objects.requireNonNull(unix, "unix");
        if (!config.tcp() && !config.udp() && !unix.any() && sockets.isEmpty()) {
            throw new IllegalArgumentException("nothing to serve: no TCP, UDP or Unix socket");
        }
        this.inheritedTcp = sockets.stream().filter(InheritedSocket::isTcp).findFirst().orElse(null);
        this.inheritedUdp = sockets.stream().filter(InheritedSocket::isUdp).findFirst().orElse(null);
        this.inheritedUnix = sockets.stream().filter(InheritedSocket::isUnix).toList();
        this.config = Objects.requireNonNull(config, "config");
        this.backend = Objects.requireNonNull(backend, "backend");
        if (loops < 1) {
            throw new IllegalArgumentException("a server needs 1 event loop or more, not " + loops);
        }
        this.loops = loops;
    }

    @Override
    public ServiceConfig config() {
        return config;
    }

    @Override
    public synchronized void start(Runnable beforeServing) throws IOException {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        InetSocketAddress at = inherited() ? null : ServerSupport.resolve(config);
        EventLoopGroup g = EventLoopGroup.open(loops, backend, "uloop-" + config.service().id()).spin(config.spin());
        try {
            if (config.tcp()) {
                SocketOptions options = config.limits().applyTo(new SocketOptions());
                tcp = inheritedTcp != null
                        ? TcpServerGroup.adopt(g, inheritedTcp, options, config.service().tcpProtocol(config))
                        : TcpServerGroup.listen(g, at, options.dualStack(true), config.service().tcpProtocol(config));
            }
            if (config.udp()) {
                answerer = config.service().datagramAnswerer(config);   // one for all loops: limits are per source
                DatagramAnswerer a = answerer;
                udp = inheritedUdp != null ? UdpEndpointGroup.adopt(g, inheritedUdp,
                        new SocketOptions().receiveTimestamps(a.wantsReceiveTime()), () -> new UdpService(a))
                        : bindUdp(g, at, answerer);
            }
            if (unix.any()) {
                unixServing = UnixServing.start(g, config, unix);
            } else if (!inheritedUnix.isEmpty()) {
                unixServing = UnixServing.adopt(g, config, inheritedUnix);
            }
            observe(g);
            Duration every = config.statsInterval();
            if (every != null && !every.isZero()) {
                g.loop(0).every(every, () -> LOG.log(Level.INFO, config.service().id() + " stats: " + summary()
                        + "; " + loopStats(g)));
            }
            beforeServing.run();      // before the loops' threads start: nothing is served yet
        } catch (IOException | RuntimeException e) {
            g.close();            // the servers' shutdown hooks close what was bound
            tcp = null;
            udp = null;
            unixServing = null;
            throw e;
        }
        group = g;
        g.start();
        LOG.log(Level.DEBUG, () -> config.service().id() + " serving on " + mode());
    }

    /**
     * Slow-callback warnings on every loop; with metrics, a lag probe on every loop and the
     * metrics endpoint on loop 0 (before the loops start), closed by a shutdown hook of that
     * loop.
     */
    private void observe(EventLoopGroup g) throws IOException {
        Observability o = config.observability();
        g.slowCallbackThreshold(o.slowCallback());
        if (!o.metrics()) {
            return;
        }
        for (int i = 0; i < g.size(); i++) {
            g.loop(i).every(LAG_PROBE, () -> { });   // its lateness is the lag of a loop with no timers of its own
        }
        InetSocketAddress at = ServerSupport.resolve(o.metricsHost(), o.metricsPort());
        TcpServerGroup t = tcp;
        UdpEndpointGroup u = udp;
        DatagramAnswerer a = answerer;
        UnixServing x = unixServing;
        TcpServer m = TcpServer.listen(g.loop(0), at, new SocketOptions(),
                () -> new MetricsHttp(() -> ServerMetrics.render(config, g, t, u, a, x)));
        metrics = m;
        g.addShutdownHook(0, (remaining, done) -> m.shutdown(Duration.ZERO, done));
    }

    @Override
    public InetSocketAddress metricsAddress() {
        return metrics == null ? null : metrics.localAddress();
    }

    /**
     * UDP endpoints; no SO_REUSEADDR, so a second server on the same port fails instead of
     * sharing it; kernel receive timestamps when the service puts arrival times on the wire;
     * dual stack, as TCP.
     */
    private UdpEndpointGroup bindUdp(EventLoopGroup g, InetSocketAddress at, DatagramAnswerer answerer)
            throws IOException {
        SocketOptions options = new SocketOptions().reuseAddress(false).dualStack(true)
                .receiveTimestamps(answerer.wantsReceiveTime());
        InetSocketAddress first = ServerSupport.udpAfterTcp(at, tcp == null ? null : tcp.localAddress());
        try {
            return UdpEndpointGroup.bind(g, first, options, () -> new UdpService(answerer));
        } catch (BindException e) {
            if (first.equals(at)) {
                throw e;
            }
            // TCP's port is taken for UDP: any port.
            return UdpEndpointGroup.bind(g, at, options, () -> new UdpService(answerer));
        }
    }

    private static String loopStats(EventLoopGroup g) {
        List<LoopStats> all = g.stats();
        if (all.size() == 1) {
            return all.get(0).toString();
        }
        StringJoiner j = new StringJoiner("; ");
        for (int i = 0; i < all.size(); i++) {
            j.add("loop " + i + ": " + all.get(i));
        }
        return j.toString();
    }

    @Override
    public InetSocketAddress tcpAddress() {
        return tcp == null ? null : tcp.localAddress();
    }

    @Override
    public InetSocketAddress udpAddress() {
        return udp == null ? null : udp.localAddress();
    }

    @Override
    public List<String> unixEndpoints() {
        return unixServing == null ? List.of() : unixServing.endpoints();
    }

    @Override
    public String mode() {
        return "backend " + backend.id() + (loops > 1 ? ", " + loops + " loops" : "")
                + (inherited() ? ", sockets from systemd" : "");
    }

    private boolean inherited() {
        return inheritedTcp != null || inheritedUdp != null || !inheritedUnix.isEmpty();
    }

    @Override
    public UdpGuard guard() {
        return answerer == null ? null : answerer.guard();
    }

    /** The counters added up over the loops, and with more than one loop what each loop did. */
    @Override
    public String summary() {
        long[] connections = new long[loops];
        long[] answered = new long[loops];
        for (int i = 0; i < loops; i++) {
            connections[i] = tcp == null ? 0 : tcp.acceptedCount(i);
            answered[i] = udp == null ? 0 : udp.sentCount(i);
        }
        String limits = tcp == null ? "" : config.limits().summary(tcp.connectionLimiter(), tcp.idleClosedCount());
        String inet = ServerSupport.summary(config, tcp == null ? 0 : tcp.acceptedCount(), connections, limits,
                udp == null ? 0 : udp.sentCount(), udp != null && udp.sharesPort() ? answered : null,
                udp == null ? 0 : udp.sendDrops(), answerer);
        String local = unixServing == null ? "" : unixServing.summary();
        return inet.isEmpty() ? local : local.isEmpty() ? inet : inet + "; " + local;
    }

    @Override
    public boolean stop() {
        EventLoopGroup g;
        synchronized (this) {
            g = group;
        }
        if (g == null) {
            return true;
        }
        int open = tcp == null ? 0 : tcp.connectionCount();
        LOG.log(Level.DEBUG, () -> config.service().id() + ": stopping, " + open + " connections open");
        return g.shutdown(config.grace());    // aborts (and logs) what is still open after the grace
    }

    @Override
    public String toString() {
        return "LoopServer[" + readyLine() + "]";
    }
}
