package dev.uloop.net;

import dev.uloop.daemon.LogThrottle;
import dev.uloop.EventLoop;
import dev.uloop.Timer;
import dev.uloop.internal.backend.LoopEngines;
import dev.uloop.internal.net.AcceptorEngine;
import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.Sockets;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A listening TCP socket on an event loop: accepts connections (non-blocking,
 * close-on-exec) and gives each one a fresh {@link Protocol} from a factory.
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="tcpServer"}
 *
 * <p>How it accepts is the loop's backend's business: by readiness, or on
 * io_uring-completion with one multishot accept request that the kernel completes once per
 * connection. Out of descriptors (EMFILE) or memory, it pauses accepting for a moment
 * instead of spinning.
 *
 * <p>Its methods belong on the loop thread, except {@link #connectionCount()},
 * {@link #acceptedCount()} and {@link #localAddress()}. To serve one port from several
 * loops, see {@link TcpServerGroup}.
 */
public final class TcpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("uloop.net.TcpServer");
    /** A protocol that fails on every connection or datagram logs once per interval. */
    private static final LogThrottle FAILURES = new LogThrottle(LOG);

    private final EventLoop loop;
    private final Supplier<? extends Protocol> factory;
    private final SocketOptions options;
    private final InetSocketAddress localAddress;
    private final Set<TcpConnection> connections = new LinkedHashSet<>();
    private final AcceptorEngine acceptor;     // NONE on a group's loop without a listening socket
    private final ConnectionLimiter limiter;   // null without limits; one for all the loops of a group
    private Consumer<NativeSocket> handOff;    // set by a group's single acceptor: who serves an accepted socket
    private Function<NativeSocket, UnixPeer> unixPeer;   // set by a UnixServer: accepted sockets are Unix sockets
    private boolean closed;
    // Written by the loop thread only; volatile so that a group can add them up from any thread.
    private volatile long accepted;
    private volatile int open;
    private volatile long closedIdle;
    private final ByteCounter bytes = new ByteCounter();

    private TcpServer(EventLoop loop, NativeSocket listener, Supplier<? extends Protocol> factory,
                      SocketOptions options, ConnectionLimiter limiter, InetSocketAddress localAddress) {
        this.loop = loop;
        this.factory = factory;
        this.options = options;
        this.limiter = limiter;
        this.localAddress = localAddress;
        this.acceptor = listener == null ? AcceptorEngine.NONE
                : LoopEngines.sockets(loop).acceptor(listener, this::accepted);
    }

    /**
     * Listens with default options.
     *
     * @param loop    the loop (call from its thread, or before it runs)
     * @param address where to listen; port 0 picks a free port
     * @param factory makes one protocol per connection
     * @return the server
     * @throws java.net.BindException for a busy or privileged port, with a message that says so
     * @throws IOException            for other failures to listen
     */
    public static TcpServer listen(EventLoop loop, InetSocketAddress address, Supplier<? extends Protocol> factory)
            throws IOException {
        return listen(loop, address, new SocketOptions(), factory);
    }

    /**
     * Listens.
     *
     * @param loop    the loop (call from its thread, or before it runs)
     * @param address where to listen; port 0 picks a free port
     * @param options socket options
     * @param factory makes one protocol per connection
     * @return the server
     * @throws java.net.BindException for a busy or privileged port, with a message that says so
     * @throws IOException            for other failures to listen
     */
    public static TcpServer listen(EventLoop loop, InetSocketAddress address, SocketOptions options,
                                   Supplier<? extends Protocol> factory) throws IOException {
        Objects.requireNonNull(factory, "factory");
        if (address.isUnresolved()) {
            throw new IOException("cannot resolve " + address.getHostString());
        }
        NativeSocket listener = Sockets.openBound(address, Sockets.STREAM, options.reuseAddress,
                options.reusePortForOneSocket(), options.dualStack);
        TcpServer server = onSocket(loop, listener, options, options.newLimiter(), factory);
        try {
            server.register();
            return server;
        } catch (RuntimeException e) {
            server.closeUnregistered();
            throw e;
        }
    }

    /**
     * Serves a listening TCP socket this process inherited (from systemd's socket
     * activation, say) on a loop. Of the options, TCP_NODELAY applies (to the accepted
     * connections); the socket is bound and listening already, with the options and backlog
     * its giver chose.
     *
     * @param loop    the loop (call from its thread, or before it runs)
     * @param socket  a listening TCP socket; the server owns it now and closes it when it closes
     * @param options socket options
     * @param factory makes one protocol per connection
     * @return the server
     * @throws IOException           when the socket is not a listening TCP socket
     *                               ({@code fd 3 (udp on 0.0.0.0:13) is not a listening TCP socket})
     * @throws IllegalStateException when it is served already
     */
    public static TcpServer adopt(EventLoop loop, InheritedSocket socket, SocketOptions options,
                                  Supplier<? extends Protocol> factory) throws IOException {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(options, "options");
        TcpServer server = onListening(loop, socket.takeListener(), options, options.newLimiter(), factory);
        try {
            server.register();
            return server;
        } catch (RuntimeException e) {
            server.closeUnregistered();
            throw e;
        }
    }

    /**
     * A server on a bound socket: listens (any thread), to be {@link #register}ed on its
     * loop's thread. The socket is closed if listening fails.
     */
    static TcpServer onSocket(EventLoop loop, NativeSocket listener, SocketOptions options, ConnectionLimiter limiter,
                              Supplier<? extends Protocol> factory) {
        try {
            listener.listen(options.backlog);
        } catch (RuntimeException e) {
            listener.close();
            throw e;
        }
        return onListening(loop, listener, options, limiter, factory);
    }

    /** A server on a listening socket, to be {@link #register}ed; the socket is closed if that fails. */
    static TcpServer onListening(EventLoop loop, NativeSocket listener, SocketOptions options,
                                 ConnectionLimiter limiter, Supplier<? extends Protocol> factory) {
        try {
            return new TcpServer(loop, listener, factory, options, limiter, listener.localAddress());
        } catch (RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /**
     * A server without a listening socket, for a loop of a group whose one acceptor lives on
     * another loop: it serves the connections handed to it with {@link #adoptHandedOver}.
     */
    static TcpServer withoutSocket(EventLoop loop, InetSocketAddress localAddress, SocketOptions options,
                                   ConnectionLimiter limiter, Supplier<? extends Protocol> factory) {
        return new TcpServer(loop, null, factory, options, limiter, localAddress);
    }

    /** On the loop thread (or before it runs): starts accepting. */
    void register() {
        if (!closed) {
            acceptor.start();
        }
    }

    /** Closes a server that was never {@link #register}ed, from any thread. */
    void closeUnregistered() {
        if (!closed) {
            closed = true;
            acceptor.close();
        }
    }

    /** Makes the accepted connections go to {@code to} instead of this server's loop. */
    void handOffTo(Consumer<NativeSocket> to) {
        handOff = to;
    }

    /** Makes the accepted connections Unix domain connections, which learn their ends from {@code peer}. */
    void acceptUnix(Function<NativeSocket, UnixPeer> peer) {
        unixPeer = peer;
    }

    /**
     * A connection the acceptor took: refused over a limit (closed at once), served here, or
     * handed to the group's next loop.
     */
    private void accepted(NativeSocket socket) {
        if (limiter != null && !limiter.tryAcquire(source(socket.remoteAddress()))) {
            socket.close();
            return;
        }
        if (handOff != null) {
            handOff.accept(socket);
        } else {
            adopt(socket);
        }
    }

    /**
     * On the loop thread: serves a connection another loop's acceptor handed over, or
     * closes it when this server is closed already.
     */
    void adoptHandedOver(NativeSocket socket) {
        if (closed) {
            drop(socket);
            return;
        }
        adopt(socket);
    }

    /** Closes an admitted connection that will not be served, giving its slot back. */
    void drop(NativeSocket socket) {
        if (limiter != null) {
            limiter.release(source(socket.remoteAddress()));
        }
        socket.close();
    }

    private static java.net.InetAddress source(InetSocketAddress a) {
        return a == null ? null : a.getAddress();
    }

    private void adopt(NativeSocket socket) {
        accepted++;
        if (options.noDelay) {
            socket.setNoDelayQuietly();
        }
        Protocol p;
        try {
            p = factory.get();
        } catch (RuntimeException e) {
            FAILURES.log(Level.ERROR, LogThrottle.failureKey(e), "protocol factory failed; closing the new connection", e);
            drop(socket);
            return;
        }
        TcpConnection conn;
        try {
            conn = TcpConnection.adopt(loop, socket, p, this::forget, unixPeer == null ? null : unixPeer.apply(socket),
                    options.idleTimeout, bytes);
        } catch (RuntimeException e) {
            if (limiter != null) {
                limiter.release(source(socket.remoteAddress()));     // the socket is closed already
            }
            throw e;
        }
        if (!conn.isClosed()) {
            connections.add(conn);
            open = connections.size();
        }
    }

    private void forget(TcpConnection c) {
        connections.remove(c);
        open = connections.size();
        if (c.closedIdle()) {
            closedIdle++;
        }
        if (limiter != null) {
            limiter.release(source(c.remoteAddress()));
        }
    }

    /**
     * The address the server listens on (with the real port when 0 was asked for).
     *
     * @return the local address
     */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Connections currently open. Safe from any thread.
     *
     * @return how many
     */
    public int connectionCount() {
        return open;
    }

    /**
     * Connections accepted (and served on this server's loop) since the server started.
     * Safe from any thread.
     *
     * @return how many
     */
    public long acceptedCount() {
        return accepted;
    }

    /**
     * Bytes this server's connections received (handed to their protocols) since it started.
     * Safe from any thread.
     *
     * @return how many
     */
    public long bytesReceived() {
        return bytes.receivedCount();
    }

    /**
     * Bytes this server's protocols wrote (queued or sent) since it started. Safe from any
     * thread.
     *
     * @return how many
     */
    public long bytesWritten() {
        return bytes.writtenCount();
    }

    /**
     * Connections refused over the {@linkplain SocketOptions#maxConnections connection
     * limits} (closed at once). For a server of a {@link TcpServerGroup} the count is the
     * group's: the limits hold for all its loops together. Safe from any thread.
     *
     * @return how many, 0 without limits
     */
    public long refusedCount() {
        return limiter == null ? 0 : limiter.refusedCount();
    }

    /**
     * The limiter of the {@linkplain SocketOptions#maxConnections connection limits}, with
     * its counters (shared by the loops of a {@link TcpServerGroup}).
     *
     * @return the limiter, or null without limits
     */
    public ConnectionLimiter connectionLimiter() {
        return limiter;
    }

    /**
     * Connections this server closed because they stayed idle for the
     * {@linkplain SocketOptions#idleTimeout idle timeout}. Safe from any thread.
     *
     * @return how many
     */
    public long idleClosedCount() {
        return closedIdle;
    }

    /** Stops accepting: the listening socket is closed; open connections go on. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            acceptor.close();
        }
    }

    /**
     * Graceful shutdown: stop accepting, close every connection after its queued data is
     * flushed, abort those still flushing after {@code grace}, then run {@code done}.
     *
     * @param grace how long to let queued writes drain
     * @param done  run on the loop thread once every connection is closed
     */
    public void shutdown(Duration grace, Runnable done) {
        close();
        for (TcpConnection c : new ArrayList<>(connections)) {
            c.closeForStop();
        }
        if (connections.isEmpty()) {
            done.run();
            return;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        Timer[] poller = new Timer[1];
        poller[0] = loop.every(Duration.ofMillis(10), () -> {
            if (!connections.isEmpty() && System.nanoTime() - deadline < 0) {
                return;
            }
            poller[0].cancel();
            if (!connections.isEmpty()) {
                LOG.log(Level.WARNING, "{0} connections were still open after {1} ms (unsent data, or a peer"
                        + " that has not closed); aborting them", connections.size(), grace.toMillis());
                for (TcpConnection c : new ArrayList<>(connections)) {
                    c.abort();
                }
            }
            done.run();
        });
    }

    @Override
    public String toString() {
        return "TcpServer[" + Addresses.format(localAddress) + ", " + open + " connections]";
    }
}
