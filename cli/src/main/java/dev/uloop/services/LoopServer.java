package dev.uloop.services;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
import dev.uloop.Timer;
import dev.uloop.net.SocketOptions;
import dev.uloop.net.TcpServer;
import dev.uloop.net.UdpEndpoint;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A service on one event loop: a {@link TcpServer} and a {@link UdpEndpoint} bound before
 * the loop starts, served by one thread. {@link #stop()} runs the shutdown on the loop
 * thread ({@link EventLoop#execute}): the UDP socket closes, the TCP server stops
 * accepting and {@link TcpServer#shutdown shuts down} within the grace period, then the
 * loop stops and closes.
 */
final class LoopServer implements Server {
    private static final System.Logger LOG = ServerSupport.LOG;
    /** How long {@link #stop()} waits beyond the grace period for the loop thread to end. */
    private static final long STOP_SLACK_MILLIS = 2000;

    private final ServiceConfig config;
    private final Backend backend;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private EventLoop loop;
    private TcpServer tcp;
    private UdpEndpoint udp;
    private DatagramAnswerer answerer;
    private Timer stats;

    LoopServer(ServiceConfig config, Backend backend) {
        this.config = Objects.requireNonNull(config, "config");
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    @Override
    public ServiceConfig config() {
        return config;
    }

    @Override
    public synchronized void start() throws IOException {
        if (loop != null) {
            throw new IllegalStateException("already started");
        }
        InetSocketAddress at = ServerSupport.resolve(config);
        EventLoop l = EventLoop.open(backend);
        try {
            if (config.tcp()) {
                tcp = TcpServer.listen(l, at, config.service().tcpProtocol(config));
            }
            if (config.udp()) {
                answerer = config.service().datagramAnswerer(config);
                UdpService service = new UdpService(answerer);
                udp = service.attach(bindUdp(l, at, service));
            }
            Duration every = config.statsInterval();
            if (every != null && !every.isZero()) {
                stats = l.every(every, () -> LOG.log(Level.INFO, config.service().id() + " stats: " + summary()
                        + "; " + l.stats()));
            }
        } catch (IOException | RuntimeException e) {
            if (tcp != null) {
                tcp.close();
            }
            if (udp != null) {
                udp.close();
            }
            l.close();
            tcp = null;
            udp = null;
            throw e;
        }
        loop = l;
        Thread t = new Thread(this::run, "uloop-" + config.service().id());
        t.setDaemon(true);
        t.start();
        LOG.log(Level.DEBUG, () -> config.service().id() + " serving on " + backend);
    }

    /**
     * UDP endpoint; no SO_REUSEADDR, so a second server on the same port fails instead of
     * sharing it; kernel receive timestamps when the service puts arrival times on the wire.
     */
    private UdpEndpoint bindUdp(EventLoop l, InetSocketAddress at, UdpService service) throws IOException {
        SocketOptions options = new SocketOptions().reuseAddress(false)
                .receiveTimestamps(service.answerer().wantsReceiveTime());
        InetSocketAddress first = ServerSupport.udpAfterTcp(at, tcp == null ? null : tcp.localAddress());
        try {
            return UdpEndpoint.bind(l, first, options, service);
        } catch (BindException e) {
            if (first.equals(at)) {
                throw e;
            }
            return UdpEndpoint.bind(l, at, options, service);   // TCP's port is taken for UDP: any port
        }
    }

    private void run() {
        try {
            loop.run();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "the " + config.service().id() + " loop failed", e);
        } finally {
            if (tcp != null) {
                tcp.close();
            }
            if (udp != null) {
                udp.close();
            }
            loop.close();
            ended.countDown();
        }
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
    public String mode() {
        return "backend " + backend.id();
    }

    @Override
    public UdpGuard guard() {
        return answerer == null ? null : answerer.guard();
    }

    @Override
    public String summary() {
        return ServerSupport.summary(config, tcp == null ? 0 : tcp.acceptedCount(),
                udp == null ? 0 : udp.sentCount(), udp == null ? 0 : udp.sendDrops(), answerer);
    }

    @Override
    public boolean stop() {
        EventLoop l;
        synchronized (this) {
            l = loop;
        }
        if (l == null) {
            return true;
        }
        if (stopping.compareAndSet(false, true)) {
            try {
                l.execute(this::shutdownOnLoop);
            } catch (RejectedExecutionException e) {
                // The loop already closed.
            }
        }
        try {
            return ended.await(config.grace().toMillis() + STOP_SLACK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** On the loop thread: close UDP, let TCP connections flush for the grace period, stop the loop. */
    private void shutdownOnLoop() {
        if (stats != null) {
            stats.cancel();
        }
        if (udp != null) {
            udp.close();
        }
        if (tcp == null) {
            loop.stop();
            return;
        }
        int open = tcp.connectionCount();
        tcp.shutdown(config.grace(), loop::stop);   // aborts (and logs) what is still open after the grace
        LOG.log(Level.DEBUG, () -> config.service().id() + ": stopping, " + open + " connections open");
    }

    @Override
    public String toString() {
        return "LoopServer[" + readyLine() + "]";
    }
}
