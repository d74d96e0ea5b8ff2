package dev.uloop.net;

import dev.uloop.EventLoop;
import dev.uloop.Events;
import dev.uloop.NativeException;
import dev.uloop.Timer;
import dev.uloop.internal.net.Sockets;
import dev.uloop.internal.poller.IoUringCompletions;
import dev.uloop.internal.poller.LoopAccess;
import dev.uloop.internal.posix.IoUring;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.Socket;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * A listening TCP socket on an event loop: accepts connections ({@code accept4} with
 * NONBLOCK|CLOEXEC) and gives each one a fresh {@link Protocol} from a factory.
 *
 * <pre>{@code
 * TcpServer server = TcpServer.listen(loop, new InetSocketAddress("127.0.0.1", 7007), EchoProtocol::new);
 * }</pre>
 *
 * <p>On the {@link dev.uloop.Backend#IO_URING_COMPLETION} backend one multishot ACCEPT
 * request takes the place of readiness: the kernel accepts, and each completion brings a new
 * connection.
 *
 * <p>Its methods belong on the loop thread, except {@link #connectionCount()},
 * {@link #acceptedCount()} and {@link #localAddress()}. To serve one port from several
 * loops, see {@link TcpServerGroup}.
 */
public final class TcpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("uloop.net.TcpServer");
    private static final int ACCEPTS_PER_EVENT = 64;
    private static final Duration ACCEPT_BACKOFF = Duration.ofMillis(100);

    private final EventLoop loop;
    private final int fd;                     // the listening socket, or -1 (a group's loop without one)
    private final Supplier<? extends Protocol> factory;
    private final SocketOptions options;
    private final InetSocketAddress localAddress;
    private final Set<TcpConnection> connections = new LinkedHashSet<>();
    private final IoUringCompletions uring;   // completion mode, or null
    private int slot = -1;                    // its owner slot there, once registered
    private boolean acceptPaused;             // completion mode: backing off after EMFILE and the like
    private IntConsumer handOff;              // set by a group's single acceptor: who serves an accepted fd
    private boolean closed;
    // Written by the loop thread only; volatile so that a group can add them up from any thread.
    private volatile long accepted;
    private volatile int open;

    private TcpServer(EventLoop loop, int fd, Supplier<? extends Protocol> factory, SocketOptions options,
                      InetSocketAddress localAddress) {
        this.loop = loop;
        this.fd = fd;
        this.factory = factory;
        this.options = options;
        this.localAddress = localAddress;
        this.uring = LoopAccess.completions(loop);
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
        int fd = Sockets.openBound(address, Socket.SOCK_STREAM, options.reuseAddress, options.reusePortForOneSocket(),
                options.dualStack);
        TcpServer server = onSocket(loop, fd, options, factory);
        try {
            server.register();
            return server;
        } catch (RuntimeException e) {
            Sockets.close(fd);
            throw e;
        }
    }

    /**
     * A server on a bound socket: listens (any thread), to be {@link #register}ed on its
     * loop's thread. The socket is closed if listening fails.
     */
    static TcpServer onSocket(EventLoop loop, int fd, SocketOptions options, Supplier<? extends Protocol> factory) {
        try {
            int r = Socket.listen(fd, options.backlog);
            if (r < 0) {
                throw new NativeException("listen(fd=" + fd + ")", -r);
            }
            return new TcpServer(loop, fd, factory, options, Sockets.localAddress(fd));
        } catch (RuntimeException e) {
            Sockets.close(fd);
            throw e;
        }
    }

    /**
     * A server without a listening socket, for a loop of a group whose one acceptor lives on
     * another loop: it serves the connections handed to it with {@link #adoptHandedOver}.
     */
    static TcpServer withoutSocket(EventLoop loop, InetSocketAddress localAddress, SocketOptions options,
                                   Supplier<? extends Protocol> factory) {
        return new TcpServer(loop, -1, factory, options, localAddress);
    }

    /** On the loop thread (or before it runs): starts watching the listening socket. */
    void register() {
        if (fd >= 0 && !closed) {
            if (uring != null) {
                slot = uring.attach(this::acceptCompleted, fd);
                uring.accept(slot);
            } else {
                loop.add(fd, Events.IN, (f, ev) -> acceptAll());
            }
        }
    }

    /** Closes a server that was never {@link #register}ed, from any thread. */
    void closeUnregistered() {
        if (!closed) {
            closed = true;
            if (fd >= 0) {
                Sockets.close(fd);
            }
        }
    }

    /** Makes the accepted connections go to {@code to} instead of this server's loop. */
    void handOffTo(IntConsumer to) {
        handOff = to;
    }

    /**
     * On the loop thread: serves a connection another loop's acceptor handed over, or
     * closes it when this server is closed already.
     */
    void adoptHandedOver(int c) {
        if (closed) {
            Sockets.close(c);
            return;
        }
        adopt(c);
    }

    private void acceptAll() {
        for (int i = 0; i < ACCEPTS_PER_EVENT && !closed; i++) {
            int c = Socket.accept4(fd, MemorySegment.NULL, MemorySegment.NULL, Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC);
            if (c >= 0) {
                if (handOff != null) {
                    handOff.accept(c);
                } else {
                    adopt(c);
                }
                continue;
            }
            if (!acceptFailed(-c)) {
                return;
            }
        }
    }

    /**
     * What to do about a failed accept.
     *
     * @return true to go on accepting, false to stop for now
     */
    private boolean acceptFailed(int errno) {
        switch (errno) {
            case Errno.EAGAIN:
            case Errno.ECANCELED:
                return false;
            case Errno.ECONNABORTED:
            case Errno.EPROTO:
                return true;
            case Errno.EMFILE:
            case Errno.ENFILE:
            case Errno.ENOBUFS:
            case Errno.ENOMEM:
                // Out of descriptors or memory: the pending connection would wake us at once
                // again, so stop watching the listener for a moment instead of spinning.
                LOG.log(Level.WARNING, "accept on {0}: {1}; pausing accepts for {2} ms",
                        Addresses.format(localAddress), Errno.name(errno), ACCEPT_BACKOFF.toMillis());
                if (uring != null) {
                    acceptPaused = true;
                    uring.cancel(slot, IoUringCompletions.OP_ACCEPT);
                    loop.schedule(ACCEPT_BACKOFF, () -> {
                        acceptPaused = false;
                        armAccept();
                    });
                } else {
                    loop.modify(fd, 0);
                    loop.schedule(ACCEPT_BACKOFF, () -> {
                        if (!closed) {
                            loop.modify(fd, Events.IN);
                        }
                    });
                }
                return false;
            default:
                LOG.log(Level.ERROR, "accept4(fd={0}): {1}", fd, Errno.name(errno));
                return false;
        }
    }

    /** Completion mode: one multishot ACCEPT finished one connection (or failed). */
    private void acceptCompleted(int op, int res, int flags) {
        if (closed) {
            if (res >= 0) {
                Sockets.close(res);
            }
            return;
        }
        if (res >= 0) {
            if (handOff != null) {
                handOff.accept(res);
            } else {
                adopt(res);
            }
        } else {
            acceptFailed(-res);       // logs it, backs off if need be
        }
        if ((flags & IoUring.IORING_CQE_F_MORE) == 0) {
            armAccept();
        }
    }

    private void armAccept() {
        if (!closed && !acceptPaused && !uring.busy(slot, IoUringCompletions.OP_ACCEPT)) {
            uring.accept(slot);
        }
    }

    private void adopt(int c) {
        accepted++;
        if (options.noDelay) {
            try {
                Sockets.setInt(c, Socket.IPPROTO_TCP, Socket.TCP_NODELAY, 1, "TCP_NODELAY");
            } catch (NativeException e) {
                // A connection reset before we got here: setting the option fails, the read will tell.
            }
        }
        Protocol p;
        try {
            p = factory.get();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "protocol factory failed; closing the new connection", e);
            Sockets.close(c);
            return;
        }
        TcpConnection conn = TcpConnection.adopt(loop, c, p, this::forget);
        if (!conn.isClosed()) {
            connections.add(conn);
            open = connections.size();
        }
    }

    private void forget(TcpConnection c) {
        connections.remove(c);
        open = connections.size();
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

    /** Stops accepting: the listening socket is closed; open connections go on. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (fd >= 0) {
            if (uring != null) {
                if (slot >= 0) {
                    uring.cancel(slot);   // the listener is closed once its ACCEPT has ended
                    uring.detach(slot);
                }
            } else if (!loop.isClosed()) {
                loop.remove(fd);
            }
            Sockets.close(fd);
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
            c.close();
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
