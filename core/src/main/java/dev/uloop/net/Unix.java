package dev.uloop.net;

import dev.uloop.EventLoop;
import dev.uloop.NativeException;
import dev.uloop.internal.backend.LoopEngines;
import dev.uloop.internal.net.Connects;
import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.NetErrors;
import dev.uloop.internal.net.Sockets;
import dev.uloop.internal.net.UnixName;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Unix domain socket addresses, and outgoing Unix stream connections on an event loop. A
 * Unix socket is named by a file-system path ({@link UnixDomainSocketAddress}) or, on
 * Linux, by an abstract name ({@link AbstractUnixAddress}, written {@code @name}). Servers
 * are {@link UnixServer}s, datagram sockets {@link UnixDatagramEndpoint}s; connections use
 * the same {@link Protocol} and {@link Transport} as TCP, with the peer's credentials in
 * {@link Transport#peerCredentials()}.
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="unix"}
 */
public final class Unix {
    private Unix() {}

    /** The address of a socket without a name, as the JDK spells it. */
    static final UnixDomainSocketAddress UNNAMED = UnixDomainSocketAddress.of("");

    /**
     * A Unix socket address as socat and systemd spell it: {@code @name} is an abstract name,
     * anything else a path.
     *
     * @param spelling {@code /run/uloop/echo.sock}, {@code echo.sock} or {@code @uloop-echo}
     * @return a {@link UnixDomainSocketAddress} or an {@link AbstractUnixAddress}
     * @throws IllegalArgumentException when it is empty, or an abstract name is empty or too long
     */
    public static SocketAddress address(String spelling) {
        Objects.requireNonNull(spelling, "spelling");
        if (spelling.isEmpty()) {
            throw new IllegalArgumentException("empty Unix socket path");
        }
        return spelling.startsWith("@") ? AbstractUnixAddress.of(spelling.substring(1))
                : UnixDomainSocketAddress.of(spelling);
    }

    /**
     * A Unix socket address as people write it, for messages: the path, {@code @name}, or
     * {@code (unnamed)} for a socket without a name (as a client's usually is).
     *
     * @param address a Unix socket address
     * @return the text
     */
    public static String format(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress u) {
            String p = u.getPath().toString();
            return p.isEmpty() ? "(unnamed)" : p;
        }
        return String.valueOf(address);
    }

    /**
     * Connects to a Unix stream socket without blocking. The future completes on the loop
     * thread, with the connection after {@link Protocol#connectionMade}, or with a
     * {@link java.net.ConnectException} when nobody listens there (ECONNREFUSED), there is no
     * such socket (ENOENT) or the server's backlog is full (EAGAIN), else a
     * {@link SocketException} (EACCES...); its cause is the {@link NativeException} with the
     * kernel's errno. A path that does not fit ({@value UnixName#MAX_BYTES} bytes at most) is a
     * {@link SocketException} too.
     *
     * @param loop     the loop (call from its thread, or before it runs)
     * @param address  a {@link UnixDomainSocketAddress} or an {@link AbstractUnixAddress}
     * @param protocol what to do with the connection
     * @return the pending connection: a {@link Transport}, whose
     *         {@link Transport#peerCredentials()} are the server's
     */
    public static CompletableFuture<Transport> connect(EventLoop loop, SocketAddress address, Protocol protocol) {
        Objects.requireNonNull(protocol, "protocol");
        CompletableFuture<Transport> result = new CompletableFuture<>();
        UnixName name;
        NativeSocket socket;
        try {
            name = name(address);
            socket = NativeSocket.openUnix(Sockets.STREAM);
        } catch (SocketException | RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        try {
            if (socket.connect(name)) {
                result.complete(TcpConnection.adopt(loop, socket, protocol, null, UnixPeer.of(socket, name), null, null));
                return result;
            }
            // Linux connects Unix sockets at once; wait for writability where a kernel does not.
            Connects.await(LoopEngines.sockets(loop).reactor(), socket, null, failure -> {
                if (failure != null) {
                    socket.close();
                    result.completeExceptionally(NetErrors.connectFailed(name.toString(), failure.errno()));
                } else {
                    result.complete(TcpConnection.adopt(loop, socket, protocol, null, UnixPeer.of(socket, name), null, null));
                }
            });
        } catch (NativeException e) {
            socket.close();
            result.completeExceptionally(NetErrors.connectFailed(name.toString(), e.errno()));
        } catch (RuntimeException e) {
            socket.close();
            result.completeExceptionally(e);
        }
        return result;
    }

    /** The public address of a kernel name. */
    static SocketAddress address(UnixName name) {
        if (name == null || name.isUnnamed()) {
            return UNNAMED;
        }
        return name.isAbstract() ? AbstractUnixAddress.of(name.text()) : UnixDomainSocketAddress.of(name.text());
    }

    /**
     * The kernel name of a public address.
     *
     * @throws SocketException when the path is empty or too long for {@code sun_path}
     */
    static UnixName name(SocketAddress address) throws SocketException {
        Objects.requireNonNull(address, "address");
        if (address instanceof UnixDomainSocketAddress u) {
            return UnixName.path(u.getPath().toString());
        }
        if (address instanceof AbstractUnixAddress a) {
            return UnixName.abstractName(a.name());
        }
        throw new IllegalArgumentException("not a Unix socket address: " + address + " (" + address.getClass().getName()
                + "); use a UnixDomainSocketAddress or an AbstractUnixAddress");
    }
}
