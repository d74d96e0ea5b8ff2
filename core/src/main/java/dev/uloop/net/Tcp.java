package dev.uloop.net;

import dev.uloop.EventLoop;
import dev.uloop.Events;
import dev.uloop.NativeException;
import dev.uloop.internal.net.IoBuffers;
import dev.uloop.internal.net.Sockets;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.SockAddr;
import dev.uloop.internal.posix.Socket;
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
        int fd = Sockets.open(address, Socket.SOCK_STREAM);
        String call = "connect(fd=" + fd + ", " + Addresses.format(address) + ")";
        try {
            Sockets.setInt(fd, Socket.IPPROTO_TCP, Socket.TCP_NODELAY, 1, "TCP_NODELAY");
            IoBuffers io = IoBuffers.get();
            int len = SockAddr.write(address, io.addr);
            int r = Socket.connect(fd, io.addr, len);
            if (r == 0) {
                result.complete(TcpConnection.adopt(loop, fd, protocol, null));
                return result;
            }
            if (r != -Errno.EINPROGRESS) {
                Sockets.close(fd);
                result.completeExceptionally(new NativeException(call, -r));
                return result;
            }
            loop.add(fd, Events.OUT, (f, ev) -> {
                loop.remove(fd);
                if (result.isDone()) {
                    return;            // cancelled: the socket is closed already
                }
                int err = Sockets.getInt(fd, Socket.SOL_SOCKET, Socket.SO_ERROR);
                if (err != 0) {
                    Sockets.close(fd);
                    result.completeExceptionally(new NativeException(call, err < 0 ? -err : err));
                } else {
                    result.complete(TcpConnection.adopt(loop, fd, protocol, null));
                }
            });
            result.whenComplete((c, e) -> {
                if (result.isCancelled()) {
                    if (!loop.isClosed()) {
                        loop.remove(fd);  // given up while connecting: let go of the socket
                    }
                    Sockets.close(fd);
                }
            });
        } catch (RuntimeException e) {
            Sockets.close(fd);
            result.completeExceptionally(e);
        }
        return result;
    }
}
