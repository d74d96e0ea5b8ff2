package dev.uloop.internal.net;

import dev.uloop.NativeException;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.SockAddr;
import dev.uloop.internal.posix.Socket;
import dev.uloop.internal.posix.Unistd;
import dev.uloop.net.Addresses;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** Socket set-up shared by TCP and UDP: creation, options, bind with errors a person can act on. */
public final class Sockets {
    private Sockets() {}

    /** A non-blocking, close-on-exec socket of the address's family. */
    public static int open(InetSocketAddress address, int type) {
        int fd = Socket.socket(SockAddr.family(address), type | Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Errors.exception("socket(" + (type == Socket.SOCK_STREAM ? "SOCK_STREAM" : "SOCK_DGRAM") + ")", -fd);
        }
        return fd;
    }

    /**
     * A non-blocking socket with the usual server options, bound to {@code address}; closed
     * again if anything fails.
     *
     * @throws BindException for a busy or privileged port or a foreign address
     */
    public static int openBound(InetSocketAddress address, int type, boolean reuseAddress, boolean reusePort,
                                boolean dualStack) throws BindException {
        int fd = open(address, type);
        try {
            if (reuseAddress) {
                setInt(fd, Socket.SOL_SOCKET, Socket.SO_REUSEADDR, 1, "SO_REUSEADDR");
            }
            if (reusePort) {
                setInt(fd, Socket.SOL_SOCKET, Socket.SO_REUSEPORT, 1, "SO_REUSEPORT");
            }
            v6Only(fd, address, dualStack);
            bind(fd, address);
            return fd;
        } catch (BindException | RuntimeException e) {
            close(fd);
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
    public static int[] openBoundShared(InetSocketAddress address, int type, int n, boolean reuseAddress,
                                        boolean dualStack) throws BindException {
        if (address.getPort() != 0) {
            close(openBound(address, type, reuseAddress, false, dualStack));
        }
        int[] fds = new int[n];
        int bound = 0;
        try {
            fds[0] = openBound(address, type, reuseAddress, true, dualStack);
            bound = 1;
            InetSocketAddress same = address.getPort() != 0 ? address
                    : new InetSocketAddress(address.getAddress(), localAddress(fds[0]).getPort());
            while (bound < n) {
                fds[bound] = openBound(same, type, reuseAddress, true, dualStack);
                bound++;
            }
            return fds;
        } catch (BindException | RuntimeException e) {
            for (int i = 0; i < bound; i++) {
                close(fds[i]);
            }
            throw e;
        }
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
                close(fd);
            }
        }
    }

    /** setsockopt with an int value. */
    public static void setInt(int fd, int level, int name, int value, String what) {
        MemorySegment v = IoBuffers.get().optInt;
        v.set(ValueLayout.JAVA_INT, 0, value);
        int r = Socket.setsockopt(fd, level, name, v, 4);
        if (r < 0) {
            throw Errors.exception("setsockopt(fd=" + fd + ", " + what + ")", -r);
        }
    }

    /** getsockopt with an int value; returns -errno on failure. */
    public static int getInt(int fd, int level, int name) {
        IoBuffers io = IoBuffers.get();
        io.addrLen.set(ValueLayout.JAVA_INT, 0, 4);
        int r = Socket.getsockopt(fd, level, name, io.optInt, io.addrLen);
        return r < 0 ? r : io.optInt.get(ValueLayout.JAVA_INT, 0);
    }

    /** Arms SO_LINGER {on, 0 s}, so that close() sends a reset. */
    public static void lingerZero(int fd) {
        MemorySegment v = IoBuffers.get().optInt;
        v.set(ValueLayout.JAVA_INT, 0, 1);
        v.set(ValueLayout.JAVA_INT, 4, 0);
        Socket.setsockopt(fd, Socket.SOL_SOCKET, Socket.SO_LINGER, v, 8);
    }

    /** For IPv6 sockets: accept IPv4 too ({@code dualStack}) or IPv6 only. */
    public static void v6Only(int fd, InetSocketAddress address, boolean dualStack) {
        if (address.getAddress() instanceof Inet6Address) {
            setInt(fd, Socket.IPPROTO_IPV6, Socket.IPV6_V6ONLY, dualStack ? 0 : 1, "IPV6_V6ONLY");
        }
    }

    /**
     * Binds, turning the usual failures into a message that says what to do.
     *
     * @throws BindException for a busy port, a privileged port or an address this host lacks
     */
    public static void bind(int fd, InetSocketAddress address) throws BindException {
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
        throw Errors.exception("bind(fd=" + fd + ", " + Addresses.format(address) + ")", -r);
    }

    /**
     * The exception for a failed bind: a {@link BindException} with a message a person can act
     * on for the usual causes, a {@link NativeException} wrapped in an IOException otherwise.
     */
    static IOException bindError(int errno, InetSocketAddress address) {
        String where = Addresses.format(address);
        return switch (errno) {
            case Errno.EADDRINUSE -> new BindException(where + " is already in use");
            case Errno.EACCES, Errno.EPERM -> new BindException("binding " + where
                    + " needs root or CAP_NET_BIND_SERVICE (ports below 1024 are privileged); choose another port"
                    + " with --port");
            case Errno.EADDRNOTAVAIL -> new BindException(address.getAddress().getHostAddress()
                    + " is not an address of this host");
            default -> new IOException(Errors.exception("bind(" + where + ")", errno));
        };
    }

    /** The local address of a socket. */
    public static InetSocketAddress localAddress(int fd) {
        IoBuffers io = IoBuffers.get();
        io.addrLen.set(ValueLayout.JAVA_INT, 0, SockAddr.STORAGE_SIZE);
        int r = Socket.getsockname(fd, io.addr, io.addrLen);
        if (r < 0) {
            throw Errors.exception("getsockname(fd=" + fd + ")", -r);
        }
        return SockAddr.read(io.addr);
    }

    /** The peer address of a connected socket, or null if it has none. */
    public static InetSocketAddress remoteAddress(int fd) {
        IoBuffers io = IoBuffers.get();
        io.addrLen.set(ValueLayout.JAVA_INT, 0, SockAddr.STORAGE_SIZE);
        int r = Socket.getpeername(fd, io.addr, io.addrLen);
        return r < 0 ? null : SockAddr.read(io.addr);
    }

    /** Closes quietly. */
    public static void close(int fd) {
        Unistd.close(fd);
    }
}
