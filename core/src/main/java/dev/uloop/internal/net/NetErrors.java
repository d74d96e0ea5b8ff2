package dev.uloop.internal.net;

import dev.uloop.NativeException;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.Errors;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;

/**
 * Failures of the network layer as the {@code java.net} exceptions a Java programmer
 * expects ({@link ConnectException}, {@link NoRouteToHostException}, {@link BindException},
 * {@link PortUnreachableException}, else {@link SocketException}). The message names the
 * call, the address and the errno, e.g.
 * {@code connect(127.0.0.1:7): ECONNREFUSED (Connection refused)}; the cause is the
 * {@link NativeException}, whose {@link NativeException#errno()} is the kernel's errno.
 */
public final class NetErrors {
    private NetErrors() {}

    /**
     * The exception for a failed connect.
     *
     * @param to    where to
     * @param errno why
     * @return a ConnectException (refused, timed out in the kernel), a NoRouteToHostException
     *         (no route, host or network unreachable), else a SocketException
     */
    public static IOException connectFailed(InetSocketAddress to, int errno) {
        return connectFailed(AddressFormat.format(to), errno);
    }

    /**
     * The exception for a failed connect to {@code to}, an address as text: a Unix socket's
     * path also gets a ConnectException when the file does not exist (ENOENT) or the
     * listener's backlog is full (EAGAIN).
     *
     * @param to    where to
     * @param errno why
     * @return as {@link #connectFailed(InetSocketAddress, int)}
     */
    public static IOException connectFailed(String to, int errno) {
        String call = "connect(" + to + ")";
        NativeException cause = Errors.exception(call, errno);
        IOException e = switch (errno) {
            case Errno.ECONNREFUSED, Errno.ETIMEDOUT, Errno.ENOENT, Errno.EAGAIN ->
                    new ConnectException(cause.getMessage());
            case Errno.EHOSTUNREACH, Errno.ENETUNREACH -> new NoRouteToHostException(cause.getMessage());
            default -> new SocketException(cause.getMessage());
        };
        e.initCause(cause);
        return e;
    }

    /**
     * The exception for an established connection that failed (reset, broken pipe...).
     *
     * @param cause the failed call, as the engine saw it (its message names the descriptor)
     * @param peer  the peer, for the message (may be null)
     * @return a SocketException that names the call, the peer and the errno
     */
    public static SocketException connectionFailed(NativeException cause, InetSocketAddress peer) {
        return connectionFailed(cause, AddressFormat.format(peer));
    }

    /**
     * {@link #connectionFailed(NativeException, InetSocketAddress)} with the peer as text
     * (for a Unix socket, its path).
     *
     * @param cause the failed call
     * @param peer  the peer, for the message
     * @return a SocketException that names the call, the peer and the errno
     */
    public static SocketException connectionFailed(NativeException cause, String peer) {
        String call = cause.call();
        int paren = call.indexOf('(');
        String name = paren < 0 ? call : call.substring(0, paren);
        SocketException e = new SocketException(name + "(" + peer + "): "
                + cause.errnoName() + " (" + Errno.description(cause.errno()) + ")");
        e.initCause(cause);
        return e;
    }

    /**
     * The exception for an error a UDP socket received (an ICMP message about an earlier send).
     *
     * @param cause the failed receive
     * @param local the socket's address, for the message
     * @return a PortUnreachableException for ECONNREFUSED, else a SocketException
     */
    public static SocketException datagramError(NativeException cause, InetSocketAddress local) {
        String text = cause.errnoName() + " (" + Errno.description(cause.errno()) + ")";
        SocketException e = cause.errno() == Errno.ECONNREFUSED
                ? new PortUnreachableException("UDP socket " + AddressFormat.format(local)
                        + ": a datagram sent earlier was refused: " + text)
                : new SocketException("UDP socket " + AddressFormat.format(local) + ": " + text);
        e.initCause(cause);
        return e;
    }
}
