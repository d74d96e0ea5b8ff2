package dev.uloop.net;

import dev.uloop.EventLoop;
import dev.uloop.NativeException;
import dev.uloop.internal.backend.LoopEngines;
import dev.uloop.internal.net.Connects;
import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.Sockets;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/** Outgoing TCP connections on an event loop. */
public final class Tcp {
    private Tcp() {}

    /**
     * Connects without blocking. The future completes on the loop thread, with the
     * transport after {@link Protocol#connectionMade}, or with a {@link NativeException}
     * such as {@code connect(fd=9, 127.0.0.1:7): ECONNREFUSED (Connection refused)}.
     *
     * <p>Cancelling the returned future while it is still connecting (on the loop's thread,
     * or while the loop is not running) closes the socket; the protocol is never called.
     *
     * @param loop     the loop (call from its thread, or before it runs)
     * @param address  where to connect
     * @param protocol what to do with the connection
     * @return the pending connection
     */
    public static CompletableFuture<TcpConnection> connect(EventLoop loop, InetSocketAddress address, Protocol protocol) {
        CompletableFuture<TcpConnection> result = new CompletableFuture<>();
        NativeSocket socket = NativeSocket.open(address, Sockets.STREAM);
        try {
            socket.setNoDelay();
            if (socket.connect(address)) {
                result.complete(TcpConnection.adopt(loop, socket, protocol, null));
                return result;
            }
            Runnable stopWaiting = Connects.await(LoopEngines.sockets(loop).reactor(), socket, address, failure -> {
                if (result.isDone()) {
                    return;            // cancelled: the socket is closed already
                }
                if (failure != null) {
                    socket.close();
                    result.completeExceptionally(failure);
                } else {
                    result.complete(TcpConnection.adopt(loop, socket, protocol, null));
                }
            });
            result.whenComplete((c, e) -> {
                if (result.isCancelled()) {
                    stopWaiting.run();    // given up while connecting: let go of the socket
                    socket.close();
                }
            });
        } catch (RuntimeException e) {
            socket.close();
            result.completeExceptionally(e);
        }
        return result;
    }
}
