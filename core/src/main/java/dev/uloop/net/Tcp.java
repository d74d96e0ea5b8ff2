package dev.uloop.net;

import dev.uloop.EventLoop;
import dev.uloop.NativeException;
import dev.uloop.Timer;
import dev.uloop.internal.backend.LoopEngines;
import dev.uloop.internal.net.AddressFormat;
import dev.uloop.internal.net.Connects;
import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.NetErrors;
import dev.uloop.internal.net.Sockets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Outgoing TCP connections on an event loop.
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="connect"}
 */
public final class Tcp {
    private Tcp() {}

    /**
     * Serves a connected TCP socket this process inherited: standard input under inetd's
     * {@code nowait}, xinetd, or systemd's {@code Accept=yes}
     * ({@link InheritedSocket#standardInput()}). Starts its I/O on the loop and calls
     * {@link Protocol#connectionMade}; {@link Protocol#connectionLost} tells when it ends.
     *
     * @param loop     the loop (call from its thread, or before it runs)
     * @param socket   a connected TCP socket; the connection owns it now and closes it when it closes
     * @param protocol what to do with the connection
     * @return the connection
     * @throws IOException           when the socket is not a connected TCP socket
     * @throws IllegalStateException when it is served already
     */
    public static TcpConnection adopt(EventLoop loop, InheritedSocket socket, Protocol protocol) throws IOException {
        Objects.requireNonNull(protocol, "protocol");
        NativeSocket s = socket.takeConnection();
        s.setNoDelayQuietly();
        return TcpConnection.adopt(loop, s, protocol, null, null, null, null);
    }

    /**
     * Connects without blocking and without a time limit of its own (the kernel gives up
     * after its SYN retries, about two minutes). See
     * {@link #connect(EventLoop, InetSocketAddress, InetSocketAddress, Duration, Protocol)}.
     *
     * @param loop     the loop (call from its thread, or before it runs)
     * @param address  where to connect
     * @param protocol what to do with the connection
     * @return the pending connection
     */
    public static CompletableFuture<TcpConnection> connect(EventLoop loop, InetSocketAddress address, Protocol protocol) {
        return connect(loop, address, null, null, protocol);
    }

    /**
     * Connects without blocking, giving up after {@code timeout}. See
     * {@link #connect(EventLoop, InetSocketAddress, InetSocketAddress, Duration, Protocol)}.
     *
     * @param loop     the loop (call from its thread, or before it runs)
     * @param address  where to connect
     * @param timeout  how long to wait for the connection
     * @param protocol what to do with the connection
     * @return the pending connection
     */
    public static CompletableFuture<TcpConnection> connect(EventLoop loop, InetSocketAddress address, Duration timeout,
                                                           Protocol protocol) {
        return connect(loop, address, null, timeout, protocol);
    }

    /**
     * Connects without blocking. The future completes on the loop thread, with the
     * connection after {@link Protocol#connectionMade}, or with an {@link IOException} of
     * the {@code java.net} kind: {@link java.net.ConnectException} when refused
     * ({@code connect(127.0.0.1:7): ECONNREFUSED (Connection refused)}),
     * {@link java.net.NoRouteToHostException} when unreachable, {@link SocketTimeoutException}
     * after {@code timeout}, {@link java.net.BindException} when {@code local} cannot be
     * bound; its cause is the {@link NativeException} with the kernel's errno.
     *
     * <p>Cancelling the returned future (from any thread) while it is still connecting
     * closes the socket, on the loop's thread; the protocol is never called.
     *
     * @param loop     the loop (call from its thread, or before it runs)
     * @param address  where to connect
     * @param local    the local address to bind first (port 0: any port), or null for any
     * @param timeout  how long to wait for the connection, or null for no limit of uloop's own
     * @param protocol what to do with the connection
     * @return the pending connection
     */
    public static CompletableFuture<TcpConnection> connect(EventLoop loop, InetSocketAddress address,
                                                           InetSocketAddress local, Duration timeout,
                                                           Protocol protocol) {
        Objects.requireNonNull(protocol, "protocol");
        CompletableFuture<TcpConnection> result = new CompletableFuture<>();
        if (address.isUnresolved()) {
            result.completeExceptionally(new java.net.UnknownHostException(address.getHostString()));
            return result;
        }
        NativeSocket socket;
        try {
            socket = local == null ? NativeSocket.open(address, Sockets.STREAM)
                    : Sockets.openBound(local, Sockets.STREAM, false, false, false);
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        try {
            socket.setNoDelay();
            if (socket.connect(address)) {
                result.complete(TcpConnection.adopt(loop, socket, protocol, null, null, null, null));
                return result;
            }
            Runnable[] stopWaiting = new Runnable[1];
            // Given up (refused, timed out, cancelled): stop watching, then close, on the loop
            // thread, once; after the close the number may belong to someone else.
            Runnable letGo = () -> {
                if (socket.isOpen()) {
                    stopWaiting[0].run();
                    socket.close();
                }
            };
            stopWaiting[0] = Connects.await(LoopEngines.sockets(loop).reactor(), socket, address, failure -> {
                if (result.isDone()) {
                    return;            // cancelled or timed out
                }
                if (failure != null) {
                    letGo.run();
                    result.completeExceptionally(NetErrors.connectFailed(address, failure.errno()));
                } else {
                    result.complete(TcpConnection.adopt(loop, socket, protocol, null, null, null, null));
                }
            });
            Timer timer = timeout == null ? null : loop.after(timeout, () -> {
                if (!result.isDone()) {
                    letGo.run();
                    result.completeExceptionally(new SocketTimeoutException("connect(" + AddressFormat.format(address)
                            + "): no connection within " + timeout.toMillis() + " ms"));
                }
            });
            result.whenComplete((c, e) -> {
                if (timer != null) {
                    timer.cancel();
                }
                if (result.isCancelled()) {
                    loop.execute(letGo);  // cancel() may come from any thread
                }
            });
        } catch (NativeException e) {
            socket.close();
            result.completeExceptionally(NetErrors.connectFailed(address, e.errno()));
        } catch (RuntimeException e) {
            socket.close();
            result.completeExceptionally(e);
        }
        return result;
    }
}
