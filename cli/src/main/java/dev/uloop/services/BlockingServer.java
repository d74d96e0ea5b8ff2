package dev.uloop.services;

import dev.uloop.daemon.LogThrottle;
import dev.uloop.WallClock;
import dev.uloop.net.ConnectionLimiter;
import static dev.uloop.services.ServerSupport.closeQuietly;
import static dev.uloop.services.ServerSupport.sleep;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A service on JDK blocking sockets, the seeds' synchronous server, kept for comparison with
 * the event loop: one thread accepts, one thread serves each TCP connection (platform or
 * virtual), one thread answers the UDP socket. Same wire protocol and same {@link UdpGuard}.
 *
 * <p>{@link #stop()} closes the listening and UDP sockets, shuts down the output of every
 * open connection (the client sees EOF after what it was sent), lets each thread discard
 * input until the client closes, waits up to the grace period, then closes what is left
 * with a reset.
 */
final class BlockingServer implements Server {
    private static final System.Logger LOG = ServerSupport.LOG;
    /** Out of descriptors, accept fails every 100 ms: one line per interval. */
    private final LogThrottle acceptFailures = new LogThrottle(LOG);
    private static final int BACKLOG = 1024;
    private static final long JOIN_MILLIS = 1000;

    private final ServiceConfig config;
    private final boolean virtual;
    private final BlockingHandlers.Handler handler;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final ConnectionLimiter limiter;         // --max-connections, --max-per-source; null for none
    private final LongAdder closedIdle = new LongAdder();
    private final AtomicBoolean stopCalled = new AtomicBoolean();
    private volatile boolean stopping;
    private ServerSocket tcp;
    private DatagramSocket udp;
    private DatagramAnswerer answerer;
    private Thread acceptor;
    private Thread receiver;
    private Thread stats;

    BlockingServer(ServiceConfig config, boolean virtual) {
        this.config = Objects.requireNonNull(config, "config");
        if (!config.tcp() && !config.udp()) {
            throw new IllegalArgumentException("nothing to serve: neither TCP nor UDP");
        }
        this.virtual = virtual;
        this.handler = config.tcp() ? config.service().blockingTcp(config) : null;
        this.limiter = config.limits().newLimiter();
    }

    @Override
    public ServiceConfig config() {
        return config;
    }

    @Override
    public synchronized void start(Runnable beforeServing) throws IOException {
        if (tcp != null || udp != null) {
            throw new IllegalStateException("already started");
        }
        InetSocketAddress at = ServerSupport.resolve(config);
        try {
            if (config.tcp()) {
                tcp = new ServerSocket();
                tcp.setReuseAddress(true);    // as the event loop's TcpServer
                bind(at, a -> tcp.bind(a, BACKLOG));
            }
            if (config.udp()) {
                answerer = config.service().datagramAnswerer(config);
                udp = new DatagramSocket(null);
                InetSocketAddress first = ServerSupport.udpAfterTcp(at, tcpAddress());
                try {
                    bind(first, udp::bind);
                } catch (BindException e) {
                    if (first.equals(at)) {
                        throw e;
                    }
                    bind(at, udp::bind);
                }
            }
            beforeServing.run();      // before the serving threads start
        } catch (IOException | RuntimeException e) {
            closeSockets();
            tcp = null;
            udp = null;
            throw e;
        }
        String id = config.service().id();
        if (tcp != null) {
            acceptor = thread("uloop-" + id + "-accept", this::acceptLoop);
        }
        if (udp != null) {
            receiver = thread("uloop-" + id + "-udp", this::receiveLoop);
        }
        if (config.statsInterval() != null && !config.statsInterval().isZero()) {
            stats = thread("uloop-" + id + "-stats", this::statsLoop);
        }
        LOG.log(Level.DEBUG, () -> id + " serving with " + mode());
    }

    private interface Binder {
        void bind(InetSocketAddress a) throws IOException;
    }

    /** Binds, with the core's wording for the usual failures. */
    private static void bind(InetSocketAddress at, Binder b) throws IOException {
        try {
            b.bind(at);
        } catch (BindException e) {
            throw ServerSupport.bindError(e, at);
        }
    }

    private Thread thread(String name, Runnable body) {
        Thread.Builder b = virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon(true);
        return b.name(name).start(body);
    }

    private void acceptLoop() {
        Thread.Builder connections = virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon(true);
        connections.name("uloop-" + config.service().id() + "-conn-", 1);
        while (!stopping) {
            Socket s;
            try {
                s = tcp.accept();
            } catch (IOException e) {
                if (stopping) {
                    return;
                }
                acceptFailures.log(Level.WARNING, e.getMessage(), "accept: " + e.getMessage() + "; retrying in 100 ms");
                sleep(100);
                continue;
            }
            if (limiter != null && !limiter.tryAcquire(s.getInetAddress())) {
                closeQuietly(s);     // over a limit: closed at once, no thread for it
                continue;
            }
            accepted.increment();
            open.add(s);
            if (stopping) {          // stop() may have looked at the set before this one was in it
                closeQuietly(s);
                open.remove(s);
                release(s);
                return;
            }
            connections.start(() -> serve(s));
        }
    }

    private void serve(Socket s) {
        InetSocketAddress peer = (InetSocketAddress) s.getRemoteSocketAddress();
        boolean debug = ConnectionLog.enabled();
        if (debug) {
            ConnectionLog.opened(config.service().id(), peer);
        }
        IOException failure = null;
        try {
            s.setTcpNoDelay(true);
            Duration idle = config.limits().idleTimeout();
            if (idle != null) {
                s.setSoTimeout((int) Math.clamp(idle.toMillis(), 1, Integer.MAX_VALUE));   // reads only: see docs
            }
            try {
                handler.serve(s);
            } catch (SocketTimeoutException e) {
                if (!stopping) {
                    closedIdle.increment();   // --idle-timeout: nothing received for that long; closed below
                }
            } catch (IOException e) {
                if (!stopping) {
                    throw e;         // while stopping, stop() shut our output down under a blocked write
                }
            }
            if (stopping) {
                BlockingHandlers.finish(s);
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            closeQuietly(s);
            open.remove(s);
            release(s);
        }
        if (debug) {
            ConnectionLog.closed(config.service().id(), peer, failure);
        }
    }

    private void release(Socket s) {
        if (limiter != null) {
            limiter.release(s.getInetAddress());
        }
    }

    private void receiveLoop() {
        DatagramAnswerer a = answerer;
        boolean wantsReceiveTime = a.wantsReceiveTime();
        byte[] buf = new byte[64 * 1024];
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        while (!stopping) {
            try {
                in.setLength(buf.length);
                udp.receive(in);
            } catch (IOException e) {
                if (stopping || udp.isClosed()) {
                    return;
                }
                LOG.log(Level.DEBUG, "udp: " + e.getMessage());
                continue;
            }
            long received = wantsReceiveTime ? WallClock.nanos() : 0;    // no kernel stamps with JDK sockets
            InetSocketAddress from = (InetSocketAddress) in.getSocketAddress();
            ByteBuffer reply = a.answer(ByteBuffer.wrap(buf, 0, in.getLength()), from, received);
            if (reply == null) {
                continue;
            }
            a.beforeSend(reply);
            byte[] data = reply.hasArray() ? reply.array() : BlockingHandlers.bytes(reply);
            int off = reply.hasArray() ? reply.arrayOffset() + reply.position() : 0;
            try {
                udp.send(new DatagramPacket(data, off, reply.remaining(), from));
                answered.increment();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "udp: sending to " + from + ": " + e.getMessage());
            }
        }
    }

    private void statsLoop() {
        long every = config.statsInterval().toMillis();
        while (!stopping && sleep(every)) {
            LOG.log(Level.INFO, config.service().id() + " stats: " + summary() + "; " + open.size()
                    + " connections open");
        }
    }

    @Override
    public InetSocketAddress tcpAddress() {
        ServerSocket s = tcp;
        return s == null ? null : (InetSocketAddress) s.getLocalSocketAddress();
    }

    @Override
    public InetSocketAddress udpAddress() {
        DatagramSocket s = udp;
        return s == null ? null : (InetSocketAddress) s.getLocalSocketAddress();
    }

    @Override
    public String mode() {
        return virtual ? "blocking, virtual threads" : "blocking, platform threads";
    }

    @Override
    public UdpGuard guard() {
        return answerer == null ? null : answerer.guard();
    }

    @Override
    public String summary() {
        return ServerSupport.summary(config, accepted.sum(), null, config.limits().summary(limiter, closedIdle.sum()),
                answered.sum(), null, 0, answerer);
    }

    @Override
    public boolean stop() {
        if (!stopCalled.compareAndSet(false, true)) {
            return awaitThreads();
        }
        stopping = true;
        closeSockets();
        for (Socket s : open) {
            try {
                // FIN to the client: it sees the end of what we sent and closes, which ends the
                // thread's read. Shutting down input instead would leave unread data behind and
                // turn the close into a reset that destroys replies the client has not read.
                s.shutdownOutput();
            } catch (IOException e) {
                // already closed
            }
        }
        long deadline = System.nanoTime() + config.grace().toNanos();
        while (!open.isEmpty() && System.nanoTime() - deadline < 0) {
            sleep(10);
        }
        if (!open.isEmpty()) {
            LOG.log(Level.WARNING, "{0} connections were still open after {1} ms; aborting them",
                    open.size(), config.grace().toMillis());
            for (Socket s : open) {
                try {
                    s.setSoLinger(true, 0);
                } catch (IOException e) {
                    // closing anyway
                }
                closeQuietly(s);
            }
        }
        if (stats != null) {
            stats.interrupt();
        }
        return awaitThreads();
    }

    private boolean awaitThreads() {
        try {
            for (Thread t : new Thread[] {acceptor, receiver, stats}) {
                if (t != null && !t.join(java.time.Duration.ofMillis(JOIN_MILLIS))) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void closeSockets() {
        closeQuietly(tcp);
        closeQuietly(udp);
    }

    @Override
    public String toString() {
        return "BlockingServer[" + readyLine() + "]";
    }
}
