package dev.uloop.internal.net;

import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.SockAddr;
import dev.uloop.internal.posix.Socket;
import dev.uloop.internal.posix.Unistd;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** Making server sockets, for TCP and UDP alike: options, bind with errors a person can act on, ports shared by several loops. */
public final class Sockets {
    private Sockets() {}

    /** A TCP socket ({@code SOCK_STREAM}). */
    public static final int STREAM = Socket.SOCK_STREAM;
    /** A UDP socket ({@code SOCK_DGRAM}). */
    public static final int DATAGRAM = Socket.SOCK_DGRAM;

    /**
     * A non-blocking socket with the usual server options, bound to {@code address}; closed
     * again if anything fails.
     *
     * @throws BindException for a busy or privileged port or a foreign address
     */
    public static NativeSocket openBound(InetSocketAddress address, int type, boolean reuseAddress, boolean reusePort,
                                         boolean dualStack) throws BindException {
        NativeSocket s = NativeSocket.open(address, type);
        try {
            if (reuseAddress) {
                s.setInt(Socket.SOL_SOCKET, Socket.SO_REUSEADDR, 1, "SO_REUSEADDR");
            }
            if (reusePort) {
                s.setInt(Socket.SOL_SOCKET, Socket.SO_REUSEPORT, 1, "SO_REUSEPORT");
            }
            if (address.getAddress() instanceof Inet6Address) {
                s.setInt(Socket.IPPROTO_IPV6, Socket.IPV6_V6ONLY, dualStack ? 0 : 1, "IPV6_V6ONLY");
            }
            bind(s.fd(), address);
            return s;
        } catch (BindException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * {@code n} sockets bound to one address with SO_REUSEPORT, for a group of loops that
     * share the port. With port 0 the first one gets a free port and the others bind that
     * port. With a given port, a plain bind without SO_REUSEPORT is tried (and undone)
     * first: SO_REUSEPORT would otherwise share the port, silently, with sockets of the same
     * user that set it too (another server started twice), where a busy port must be an error.
     * (Between that check and the binds another such server could still slip in.)
     * Everything is closed again if anything fails.
     *
     * @throws BindException for a busy or privileged port or a foreign address
     */
    public static NativeSocket[] openBoundShared(InetSocketAddress address, int type, int n, boolean reuseAddress,
                                                 boolean dualStack) throws BindException {
        if (address.getPort() != 0) {
            openBound(address, type, reuseAddress, false, dualStack).close();
        }
        NativeSocket[] sockets = new NativeSocket[n];
        int bound = 0;
        try {
            sockets[0] = openBound(address, type, reuseAddress, true, dualStack);
            bound = 1;
            InetSocketAddress same = address.getPort() != 0 ? address
                    : new InetSocketAddress(address.getAddress(), sockets[0].localAddress().getPort());
            while (bound < n) {
                sockets[bound] = openBound(same, type, reuseAddress, true, dualStack);
                bound++;
            }
            return sockets;
        } catch (BindException | RuntimeException e) {
            for (int i = 0; i < bound; i++) {
                sockets[i].close();
            }
            throw e;
        }
    }

    /**
     * What an inherited descriptor is, as the kernel says.
     *
     * @param stream    SOCK_STREAM (else SOCK_DGRAM)
     * @param listening a stream socket that listens
     * @param local     the bound address (null for a Unix socket)
     * @param remote    the peer of a connected socket, or null
     * @param unix      a Unix socket's name, or null for TCP and UDP
     */
    public record Probe(boolean stream, boolean listening, InetSocketAddress local, InetSocketAddress remote,
                        UnixName unix) {}

    /**
     * Asks the kernel what descriptor {@code fd} is: socket type (SO_TYPE), family
     * (SO_DOMAIN), listening (SO_ACCEPTCONN), local and peer addresses. Changes nothing.
     *
     * @throws IOException when it is not open, not a socket, or neither a TCP or UDP socket
     *                     over IPv4 or IPv6 nor a listening Unix stream socket or a named Unix
     *                     datagram socket, with a message that says which
     */
    public static Probe probe(int fd) throws IOException {
        NativeSocket s = NativeSocket.adopt(fd);        // a view only: never closed here
        int type = s.getInt(Socket.SOL_SOCKET, Socket.SO_TYPE);
        if (type == -Errno.EBADF) {
            throw new IOException("fd " + fd + " is not open");
        }
        if (type == -Errno.ENOTSOCK) {
            throw new IOException("fd " + fd + " is not a socket");
        }
        if (type < 0) {
            throw new IOException(Errors.exception("getsockopt(fd=" + fd + ", SO_TYPE)", -type));
        }
        int family = s.getInt(Socket.SOL_SOCKET, Socket.SO_DOMAIN);
        if (family == Socket.AF_UNIX && (type == Socket.SOCK_STREAM || type == Socket.SOCK_DGRAM)) {
            return unixProbe(s, fd, type == Socket.SOCK_STREAM);
        }
        if (family != Socket.AF_INET && family != Socket.AF_INET6) {
            throw new IOException("fd " + fd + " is " + (family == Socket.AF_UNIX ? "a Unix domain socket"
                    : "a socket of address family " + family) + ", not a TCP or UDP socket (IPv4 or IPv6)");
        }
        if (type != Socket.SOCK_STREAM && type != Socket.SOCK_DGRAM) {
            throw new IOException("fd " + fd + " is a socket of type " + type + ", neither TCP (SOCK_STREAM) nor UDP"
                    + " (SOCK_DGRAM)");
        }
        boolean stream = type == Socket.SOCK_STREAM;
        boolean listening = stream && s.getInt(Socket.SOL_SOCKET, Socket.SO_ACCEPTCONN) == 1;
        return new Probe(stream, listening, s.localAddress(), listening ? null : s.remoteAddress(), null);
    }

    /** A Unix socket that can be served: listening (stream) or bound to a name (datagram). */
    private static Probe unixProbe(NativeSocket s, int fd, boolean stream) throws IOException {
        boolean listening = stream && s.getInt(Socket.SOL_SOCKET, Socket.SO_ACCEPTCONN) == 1;
        UnixName name = s.unixName(false);
        if (stream && !listening) {
            throw new IOException("fd " + fd + " is a connected Unix domain socket; uloop serves a listening Unix"
                    + " stream socket, a Unix datagram socket, or a TCP or UDP socket (IPv4 or IPv6)");
        }
        if (name == null || name.isUnnamed()) {
            throw new IOException("fd " + fd + " is a Unix domain " + (stream ? "stream" : "datagram")
                    + " socket without a name");
        }
        return new Probe(stream, listening, null, null, name);
    }

    /**
     * Takes an inherited socket over: close-on-exec (not to leak into programs this one
     * starts) and non-blocking (as every socket of a loop is).
     */
    public static NativeSocket takeOver(int fd) {
        int flags = Errors.check(Unistd.fcntl(fd, Unistd.F_GETFL, 0), "fcntl(F_GETFL)", fd);
        Errors.check(Unistd.fcntl(fd, Unistd.F_SETFL, flags | Unistd.O_NONBLOCK), "fcntl(F_SETFL)", fd);
        closeOnExec(fd);
        return NativeSocket.adopt(fd);
    }

    /** Marks a descriptor close-on-exec, so that programs this process starts do not inherit it. */
    public static void closeOnExec(int fd) {
        Errors.check(Unistd.fcntl(fd, Unistd.F_SETFD, Unistd.FD_CLOEXEC), "fcntl(F_SETFD)", fd);
    }

    /**
     * Whether the kernel takes SO_REUSEPORT: probed once, on a throwaway UDP socket.
     *
     * @return true where several sockets can share a port and the kernel spreads the load
     */
    public static boolean reusePortAvailable() {
        return ReusePortProbe.AVAILABLE;
    }

    private static final class ReusePortProbe {
        static final boolean AVAILABLE = probe();

        private static boolean probe() {
            int fd = Socket.socket(Socket.AF_INET, Socket.SOCK_DGRAM | Socket.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                return false;
            }
            try {
                MemorySegment v = IoBuffers.get().optInt;
                v.set(ValueLayout.JAVA_INT, 0, 1);
                return Socket.setsockopt(fd, Socket.SOL_SOCKET, Socket.SO_REUSEPORT, v, 4) == 0;
            } finally {
                Unistd.close(fd);
            }
        }
    }

    /**
     * Binds, turning the usual failures into a message that says what to do.
     *
     * @throws BindException for a busy port, a privileged port or an address this host lacks
     */
    static void bind(int fd, InetSocketAddress address) throws BindException {
        IoBuffers io = IoBuffers.get();
        int len = SockAddr.write(address, io.addr);
        int r = Socket.bind(fd, io.addr, len);
        if (r == 0) {
            return;
        }
        IOException e = bindError(-r, address);
        if (e instanceof BindException be) {
            throw be;
        }
        throw Errors.exception("bind(fd=" + fd + ", " + AddressFormat.format(address) + ")", -r);
    }

    /**
     * The exception for a failed bind: a {@link BindException} with a message a person can act
     * on for the usual causes, a {@link dev.uloop.NativeException} wrapped in an IOException otherwise.
     */
    static IOException bindError(int errno, InetSocketAddress address) {
        String where = AddressFormat.format(address);
        return switch (errno) {
            case Errno.EADDRINUSE -> new BindException(where + " is already in use");
            case Errno.EACCES, Errno.EPERM -> new BindException("binding " + where
                    + " needs root or CAP_NET_BIND_SERVICE (ports below 1024 are privileged)");
            case Errno.EADDRNOTAVAIL -> new BindException(address.getAddress().getHostAddress()
                    + " is not an address of this host");
            default -> new IOException(Errors.exception("bind(" + where + ")", errno));
        };
    }
}
