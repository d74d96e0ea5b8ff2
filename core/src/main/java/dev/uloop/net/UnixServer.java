package dev.uloop.net;

import dev.uloop.EventLoop;
import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.Sockets;
import dev.uloop.internal.net.UnixName;
import dev.uloop.internal.net.UnixSockets;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A listening Unix domain stream socket on an event loop: a {@link TcpServer} in all but the
 * address. It accepts connections and gives each one a fresh {@link Protocol}, with the same
 * {@link Transport} (write queue, water marks, half-close, graceful close) as TCP, on every
 * backend; the protocol finds the client's pid, uid and gid in
 * {@link Transport#peerCredentials()}.
 *
 * <p>On a path, the socket file is made with the given mode before the socket listens, so no
 * client can connect before the mode applies. A socket file that nobody serves any more (a
 * server that died left it) is replaced; a socket file someone still serves is a
 * {@link java.net.BindException}, as is a path that is not a socket. {@link #close()} and
 * {@link #shutdown} remove the file, if it is still the one this server made (same inode):
 * a server started since on the same path keeps its own. An abstract name
 * ({@link AbstractUnixAddress}) has no file: it is gone with the socket.
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="unix"}
 *
 * <p>Its methods belong on the loop thread, except {@link #connectionCount()},
 * {@link #acceptedCount()} and {@link #localAddress()}.
 */
public final class UnixServer implements AutoCloseable {
    /** Mode for {@link #listen(EventLoop, SocketAddress, int, Supplier)}: what the process's umask gives. */
    public static final int UMASK_MODE = -1;

    private final TcpServer server;
    private final UnixSockets.Bound bound;
    private final SocketAddress localAddress;

    private UnixServer(TcpServer server, UnixSockets.Bound bound, SocketAddress localAddress) {
        this.server = server;
        this.bound = bound;
        this.localAddress = localAddress;
    }

    /**
     * Listens, with the socket file's mode as the process's umask makes it (as any program
     * that binds a Unix socket gets).
     *
     * @param loop    the loop (call from its thread, or before it runs)
     * @param address a {@link java.net.UnixDomainSocketAddress} or an {@link AbstractUnixAddress}
     * @param factory makes one protocol per connection
     * @return the server
     * @throws java.net.BindException when the path is in use, its directory is missing or not
     *                                writable, or it is not a socket
     * @throws java.net.SocketException when the path does not fit in {@code sun_path} (107 bytes)
     * @throws IOException            for other failures to listen
     */
    public static UnixServer listen(EventLoop loop, SocketAddress address, Supplier<? extends Protocol> factory)
            throws IOException {
        return listen(loop, address, UMASK_MODE, factory);
    }

    /**
     * Listens, with the socket file made with {@code mode}: who may connect, since
     * connecting takes write permission on the file ({@code 0660}: the owner and its group;
     * {@code 0666}: everyone).
     *
     * @param loop    the loop (call from its thread, or before it runs)
     * @param address a {@link java.net.UnixDomainSocketAddress} or an {@link AbstractUnixAddress}
     * @param mode    the socket file's permission bits, 0 to 0777, or {@link #UMASK_MODE};
     *                ignored for an abstract name
     * @param factory makes one protocol per connection
     * @return the server
     * @throws java.net.BindException when the path is in use, its directory is missing or not
     *                                writable, or it is not a socket
     * @throws java.net.SocketException when the path does not fit in {@code sun_path} (107 bytes)
     * @throws IOException            for other failures to listen
     */
    public static UnixServer listen(EventLoop loop, SocketAddress address, int mode,
                                    Supplier<? extends Protocol> factory) throws IOException {
        Objects.requireNonNull(factory, "factory");
        if (mode != UMASK_MODE && (mode < 0 || mode > 0777)) {
            throw new IllegalArgumentException("mode 0" + Integer.toOctalString(mode) + " is not 0 to 0777");
        }
        UnixName name = Unix.name(address);
        UnixSockets.Bound bound = UnixSockets.openBound(name, Sockets.STREAM, mode);
        TcpServer server;
        try {
            server = TcpServer.onSocket(loop, bound.socket(), new SocketOptions().noDelay(false), null, factory);
        } catch (RuntimeException e) {
            bound.removeFile();
            throw e;
        }
        return start(server, bound);
    }

    /**
     * Serves a listening Unix stream socket this process inherited (from systemd's socket
     * activation: {@code ListenStream=/run/uloop/echo.sock}). The socket file is its giver's:
     * it keeps the mode the giver chose ({@code SocketMode=}), and closing the server does not
     * remove it (systemd does, with {@code RemoveOnStop=}).
     *
     * @param loop    the loop (call from its thread, or before it runs)
     * @param socket  a listening Unix stream socket; the server owns it now and closes it when it closes
     * @param factory makes one protocol per connection
     * @return the server
     * @throws IOException           when the socket is not a listening Unix stream socket
     * @throws IllegalStateException when it is served already
     */
    public static UnixServer adopt(EventLoop loop, InheritedSocket socket, Supplier<? extends Protocol> factory)
            throws IOException {
        Objects.requireNonNull(factory, "factory");
        NativeSocket listener = socket.takeUnixListener();
        UnixName name = listener.unixName(false);
        TcpServer server = TcpServer.onListening(loop, listener, new SocketOptions().noDelay(false), null, factory);
        return start(server, new UnixSockets.Bound(listener, name, null));
    }

    /** Starts accepting on {@code server}'s listening socket, as Unix connections. */
    private static UnixServer start(TcpServer server, UnixSockets.Bound bound) {
        UnixName name = bound.name();
        SocketAddress local = Unix.address(name);
        server.acceptUnix(s -> acceptedPeer(s, local, name));
        UnixServer u = new UnixServer(server, bound, local);
        try {
            server.register();
            return u;
        } catch (RuntimeException e) {
            server.closeUnregistered();
            bound.removeFile();
            throw e;
        }
    }

    /** An accepted connection's ends: this server's address, the client's (usually unnamed), its credentials. */
    private static UnixPeer acceptedPeer(NativeSocket s, SocketAddress local, UnixName name) {
        int[] c = s.peerCredentials();
        return new UnixPeer(local, Unix.address(s.unixName(true)),
                c == null ? null : new PeerCredentials(c[0], c[1], c[2]), name.toString());
    }

    /**
     * The address the server listens on.
     *
     * @return a {@link java.net.UnixDomainSocketAddress} or an {@link AbstractUnixAddress}
     */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Connections currently open. Safe from any thread.
     *
     * @return how many
     */
    public int connectionCount() {
        return server.connectionCount();
    }

    /**
     * Connections accepted since the server started. Safe from any thread.
     *
     * @return how many
     */
    public long acceptedCount() {
        return server.acceptedCount();
    }

    /**
     * Stops accepting: the listening socket is closed and its file removed (if it is still
     * ours); open connections go on. Idempotent.
     */
    @Override
    public void close() {
        server.close();
        bound.removeFile();
    }

    /**
     * Graceful shutdown, as {@link TcpServer#shutdown}: stop accepting (and remove the
     * socket file), close every connection after its queued data is flushed, abort those
     * still flushing after {@code grace}, then run {@code done}. Fits
     * {@link dev.uloop.EventLoopGroup#addShutdownHook}.
     *
     * @param grace how long to let queued writes drain
     * @param done  run on the loop thread once every connection is closed
     */
    public void shutdown(Duration grace, Runnable done) {
        bound.removeFile();
        server.shutdown(grace, done);
    }

    @Override
    public String toString() {
        return "UnixServer[" + Unix.format(localAddress) + ", " + connectionCount() + " connections]";
    }
}
