package dev.uloop.internal.posix;

import static dev.uloop.internal.posix.LibC.C_INT;
import static dev.uloop.internal.posix.LibC.C_LONG;
import static dev.uloop.internal.posix.LibC.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code <sys/socket.h>} and the socket options uloop uses. Each wrapper returns the
 * result, or {@code -errno}. {@code recv}/{@code send} family calls that carry
 * {@link #MSG_DONTWAIT} cannot block and use the cheaper critical linkage.
 */
public final class Socket {
    private Socket() {}

    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = Unistd.O_NONBLOCK;
    public static final int SOCK_CLOEXEC = Unistd.O_CLOEXEC;

    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_OOBINLINE = 10;
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    /** The credentials of a Unix socket's peer, a {@code struct ucred {pid, uid, gid}}. */
    public static final int SO_PEERCRED = 17;
    /** Whether the socket is listening (1) or not (0). */
    public static final int SO_ACCEPTCONN = 30;
    /** The socket's address family ({@code AF_INET}...). */
    public static final int SO_DOMAIN = 39;
    /** Receive timestamps as a {@code struct timespec} control message (Linux). */
    public static final int SO_TIMESTAMPNS = 35;
    /** The control message type of {@link #SO_TIMESTAMPNS}. */
    public static final int SCM_TIMESTAMPNS = SO_TIMESTAMPNS;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_IPV6 = 41;
    public static final int TCP_NODELAY = 1;
    public static final int IPV6_V6ONLY = 26;

    public static final int MSG_OOB = 0x1;
    public static final int MSG_PEEK = 0x2;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;

    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    private static final class SocketCall {
        static final MethodHandle HANDLE =
                LibC.downcall("socket", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT), LibC.CRITICAL);
    }
    private static final class Socketpair {
        static final MethodHandle HANDLE =
                LibC.downcall("socketpair", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER),
                        LibC.CRITICAL);
    }
    private static final class Bind {
        static final MethodHandle HANDLE =
                LibC.downcall("bind", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT), LibC.CRITICAL);
    }
    private static final class Listen {
        static final MethodHandle HANDLE =
                LibC.downcall("listen", FunctionDescriptor.of(C_INT, C_INT, C_INT), LibC.CRITICAL);
    }
    // accept4 and connect may block on a blocking socket.
    private static final class Accept4 {
        static final MethodHandle HANDLE =
                LibC.downcall("accept4", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_INT));
    }
    private static final class Connect {
        static final MethodHandle HANDLE =
                LibC.downcall("connect", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
    }
    private static final FunctionDescriptor RECVFROM_FD =
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG, C_INT, C_POINTER, C_POINTER);
    private static final class Recvfrom {
        static final MethodHandle HANDLE = LibC.downcall("recvfrom", RECVFROM_FD);
    }
    private static final class RecvfromNow {
        static final MethodHandle HANDLE = LibC.downcall("recvfrom", RECVFROM_FD, LibC.CRITICAL);
    }
    private static final FunctionDescriptor SENDTO_FD =
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG, C_INT, C_POINTER, C_INT);
    private static final class Sendto {
        static final MethodHandle HANDLE = LibC.downcall("sendto", SENDTO_FD);
    }
    private static final class SendtoNow {
        static final MethodHandle HANDLE = LibC.downcall("sendto", SENDTO_FD, LibC.CRITICAL);
    }
    private static final FunctionDescriptor RECV_FD = FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG, C_INT);
    private static final class Recv {
        static final MethodHandle HANDLE = LibC.downcall("recv", RECV_FD);
    }
    private static final class RecvNow {
        static final MethodHandle HANDLE = LibC.downcall("recv", RECV_FD, LibC.CRITICAL);
    }
    private static final class Send {
        static final MethodHandle HANDLE = LibC.downcall("send", RECV_FD);
    }
    private static final class SendNow {
        static final MethodHandle HANDLE = LibC.downcall("send", RECV_FD, LibC.CRITICAL);
    }
    private static final FunctionDescriptor RECVMSG_FD = FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_INT);
    private static final class Recvmsg {
        static final MethodHandle HANDLE = LibC.downcall("recvmsg", RECVMSG_FD);
    }
    private static final class RecvmsgNow {
        static final MethodHandle HANDLE = LibC.downcall("recvmsg", RECVMSG_FD, LibC.CRITICAL);
    }
    // The same calls without libc or errno (see Syscall), where available: null elsewhere.
    private static final FunctionDescriptor RAW_RECVFROM_FD =
            FunctionDescriptor.of(C_LONG, C_INT, C_LONG, C_LONG, C_INT, C_LONG, C_LONG);
    private static final class RawRecvfrom {
        static final MethodHandle HANDLE = Syscall.handle(Syscall.RECVFROM, RAW_RECVFROM_FD, false);
    }
    private static final class RawRecvfromNow {
        static final MethodHandle HANDLE = Syscall.handle(Syscall.RECVFROM, RAW_RECVFROM_FD, true);
    }
    private static final FunctionDescriptor RAW_SENDTO_FD =
            FunctionDescriptor.of(C_LONG, C_INT, C_LONG, C_LONG, C_INT, C_LONG, C_INT);
    private static final class RawSendto {
        static final MethodHandle HANDLE = Syscall.handle(Syscall.SENDTO, RAW_SENDTO_FD, false);
    }
    private static final class RawSendtoNow {
        static final MethodHandle HANDLE = Syscall.handle(Syscall.SENDTO, RAW_SENDTO_FD, true);
    }
    private static final FunctionDescriptor RAW_RECVMSG_FD = FunctionDescriptor.of(C_LONG, C_INT, C_LONG, C_INT);
    private static final class RawRecvmsg {
        static final MethodHandle HANDLE = Syscall.handle(Syscall.RECVMSG, RAW_RECVMSG_FD, false);
    }
    private static final class RawRecvmsgNow {
        static final MethodHandle HANDLE = Syscall.handle(Syscall.RECVMSG, RAW_RECVMSG_FD, true);
    }
    private static final class Setsockopt {
        static final MethodHandle HANDLE = LibC.downcall("setsockopt",
                FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER, C_INT), LibC.CRITICAL);
    }
    private static final class Getsockopt {
        static final MethodHandle HANDLE = LibC.downcall("getsockopt",
                FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER), LibC.CRITICAL);
    }
    private static final FunctionDescriptor NAME_FD = FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER);
    private static final class Getsockname {
        static final MethodHandle HANDLE = LibC.downcall("getsockname", NAME_FD, LibC.CRITICAL);
    }
    private static final class Getpeername {
        static final MethodHandle HANDLE = LibC.downcall("getpeername", NAME_FD, LibC.CRITICAL);
    }
    private static final class Shutdown {
        static final MethodHandle HANDLE =
                LibC.downcall("shutdown", FunctionDescriptor.of(C_INT, C_INT, C_INT), LibC.CRITICAL);
    }

    /** {@code int socket(int domain, int type, int protocol)}. */
    public static int socket(int domain, int type, int protocol) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) SocketCall.HANDLE.invokeExact(st, domain, type, protocol), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int socketpair(int domain, int type, int protocol, int sv[2])}. */
    public static int socketpair(int domain, int type, int protocol, MemorySegment sv) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Socketpair.HANDLE.invokeExact(st, domain, type, protocol, sv), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int bind(int fd, const struct sockaddr *addr, socklen_t len)}. */
    public static int bind(int fd, MemorySegment addr, int len) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Bind.HANDLE.invokeExact(st, fd, addr, len), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int listen(int fd, int backlog)}. */
    public static int listen(int fd, int backlog) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Listen.HANDLE.invokeExact(st, fd, backlog), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)}; EINTR is retried. */
    public static int accept4(int fd, MemorySegment addr, MemorySegment len, int flags) {
        MemorySegment st = LibC.errnoState();
        try {
            int r;
            do {
                r = LibC.result((int) Accept4.HANDLE.invokeExact(st, fd, addr, len, flags), st);
            } while (r == -Errno.EINTR);
            return r;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int connect(int fd, const struct sockaddr *addr, socklen_t len)}. */
    public static int connect(int fd, MemorySegment addr, int len) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Connect.HANDLE.invokeExact(st, fd, addr, len), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *from, socklen_t *len)}. */
    public static long recvfrom(int fd, MemorySegment buf, long n, int flags, MemorySegment from, MemorySegment len) {
        if (Syscall.AVAILABLE) {
            return recvfromDirect(fd, Syscall.address(buf), n, flags, Syscall.address(from), Syscall.address(len));
        }
        MemorySegment st = LibC.errnoState();
        try {
            long r;
            do {
                r = (flags & MSG_DONTWAIT) != 0
                        ? (long) RecvfromNow.HANDLE.invokeExact(st, fd, buf, n, flags, from, len)
                        : (long) Recvfrom.HANDLE.invokeExact(st, fd, buf, n, flags, from, len);
                r = LibC.result(r, st);
            } while (r == -Errno.EINTR);
            return r;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * {@code ssize_t recvmsg(int fd, struct msghdr *msg, int flags)}; EINTR is retried.
     * See {@link MsgHdr} for the structure.
     */
    public static long recvmsg(int fd, MemorySegment msg, int flags) {
        if (Syscall.AVAILABLE) {
            long a = Syscall.address(msg);
            try {
                long r;
                do {
                    r = (flags & MSG_DONTWAIT) != 0
                            ? (long) RawRecvmsgNow.HANDLE.invokeExact(fd, a, flags)
                            : (long) RawRecvmsg.HANDLE.invokeExact(fd, a, flags);
                } while (r == -Errno.EINTR);
                return r;
            } catch (Throwable t) {
                throw LibC.rethrow(t);
            }
        }
        MemorySegment st = LibC.errnoState();
        try {
            long r;
            do {
                r = (flags & MSG_DONTWAIT) != 0
                        ? (long) RecvmsgNow.HANDLE.invokeExact(st, fd, msg, flags)
                        : (long) Recvmsg.HANDLE.invokeExact(st, fd, msg, flags);
                r = LibC.result(r, st);
            } while (r == -Errno.EINTR);
            return r;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * {@link #sendto(int, MemorySegment, long, int, MemorySegment, int)} of the {@code n} bytes
     * at {@code offset} in {@code buf}, without a slice of it where the direct calls are available.
     */
    public static long sendto(int fd, MemorySegment buf, long offset, long n, int flags, MemorySegment to, int len) {
        if (Syscall.AVAILABLE) {
            return sendtoDirect(fd, Syscall.address(buf) + offset, n, flags, Syscall.address(to), len);
        }
        return sendto(fd, offset == 0 ? buf : buf.asSlice(offset), n, flags, to, len);
    }

    /** {@code ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to, socklen_t len)}. */
    public static long sendto(int fd, MemorySegment buf, long n, int flags, MemorySegment to, int len) {
        if (Syscall.AVAILABLE) {
            return sendtoDirect(fd, Syscall.address(buf), n, flags, Syscall.address(to), len);
        }
        MemorySegment st = LibC.errnoState();
        try {
            long r;
            do {
                r = (flags & MSG_DONTWAIT) != 0
                        ? (long) SendtoNow.HANDLE.invokeExact(st, fd, buf, n, flags, to, len)
                        : (long) Sendto.HANDLE.invokeExact(st, fd, buf, n, flags, to, len);
                r = LibC.result(r, st);
            } while (r == -Errno.EINTR);
            return r;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code ssize_t recv(int fd, void *buf, size_t n, int flags)}. */
    public static long recv(int fd, MemorySegment buf, long n, int flags) {
        if (Syscall.AVAILABLE) {
            return recvfromDirect(fd, Syscall.address(buf), n, flags, 0, 0);
        }
        MemorySegment st = LibC.errnoState();
        try {
            long r;
            do {
                r = (flags & MSG_DONTWAIT) != 0
                        ? (long) RecvNow.HANDLE.invokeExact(st, fd, buf, n, flags)
                        : (long) Recv.HANDLE.invokeExact(st, fd, buf, n, flags);
                r = LibC.result(r, st);
            } while (r == -Errno.EINTR);
            return r;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * {@code ssize_t send(int fd, const void *buf, size_t n, int flags)} of the {@code n}
     * bytes at {@code offset} in {@code buf}, without a slice of it where the direct calls are
     * available.
     */
    public static long send(int fd, MemorySegment buf, long offset, long n, int flags) {
        if (Syscall.AVAILABLE) {
            return sendtoDirect(fd, Syscall.address(buf) + offset, n, flags, 0, 0);
        }
        return send(fd, offset == 0 ? buf : buf.asSlice(offset), n, flags);
    }

    /** {@code ssize_t send(int fd, const void *buf, size_t n, int flags)}. */
    public static long send(int fd, MemorySegment buf, long n, int flags) {
        if (Syscall.AVAILABLE) {
            return sendtoDirect(fd, Syscall.address(buf), n, flags, 0, 0);
        }
        MemorySegment st = LibC.errnoState();
        try {
            long r;
            do {
                r = (flags & MSG_DONTWAIT) != 0
                        ? (long) SendNow.HANDLE.invokeExact(st, fd, buf, n, flags)
                        : (long) Send.HANDLE.invokeExact(st, fd, buf, n, flags);
                r = LibC.result(r, st);
            } while (r == -Errno.EINTR);
            return r;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static long recvfromDirect(int fd, long buf, long n, int flags, long from, long len) {
        try {
            long r;
            do {
                r = (flags & MSG_DONTWAIT) != 0
                        ? (long) RawRecvfromNow.HANDLE.invokeExact(fd, buf, n, flags, from, len)
                        : (long) RawRecvfrom.HANDLE.invokeExact(fd, buf, n, flags, from, len);
            } while (r == -Errno.EINTR);
            return r;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static long sendtoDirect(int fd, long buf, long n, int flags, long to, int len) {
        try {
            long r;
            do {
                r = (flags & MSG_DONTWAIT) != 0
                        ? (long) RawSendtoNow.HANDLE.invokeExact(fd, buf, n, flags, to, len)
                        : (long) RawSendto.HANDLE.invokeExact(fd, buf, n, flags, to, len);
            } while (r == -Errno.EINTR);
            return r;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int setsockopt(int fd, int level, int name, const void *value, socklen_t len)}. */
    public static int setsockopt(int fd, int level, int name, MemorySegment value, int len) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Setsockopt.HANDLE.invokeExact(st, fd, level, name, value, len), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int getsockopt(int fd, int level, int name, void *value, socklen_t *len)}. */
    public static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment len) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Getsockopt.HANDLE.invokeExact(st, fd, level, name, value, len), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int getsockname(int fd, struct sockaddr *addr, socklen_t *len)}. */
    public static int getsockname(int fd, MemorySegment addr, MemorySegment len) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Getsockname.HANDLE.invokeExact(st, fd, addr, len), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int getpeername(int fd, struct sockaddr *addr, socklen_t *len)}. */
    public static int getpeername(int fd, MemorySegment addr, MemorySegment len) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Getpeername.HANDLE.invokeExact(st, fd, addr, len), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int shutdown(int fd, int how)}. */
    public static int shutdown(int fd, int how) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Shutdown.HANDLE.invokeExact(st, fd, how), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }
}
