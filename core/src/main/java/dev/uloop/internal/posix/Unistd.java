package dev.uloop.internal.posix;

import static dev.uloop.internal.posix.LibC.C_INT;
import static dev.uloop.internal.posix.LibC.C_LONG;
import static dev.uloop.internal.posix.LibC.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code <unistd.h>} and {@code <fcntl.h>}: read, write, close, pipe2, fcntl, getpid, and the
 * process's credentials (setuid, setgid, setgroups, getresuid, getresgid, getgroups). Each
 * wrapper returns the result, or {@code -errno} on failure.
 *
 * <p>glibc's setuid, setgid and setgroups change the credentials of every thread of the
 * process (the kernel's calls change the calling thread's only): they signal each thread
 * to make the same call. These bindings call glibc's functions for that reason, never the
 * raw system calls.
 */
public final class Unistd {
    private Unistd() {}

    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int FD_CLOEXEC = 1;
    /** Duplicates to the lowest free descriptor at or above the argument, close-on-exec. */
    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;

    // read/write stay non-critical: they may be used on blocking descriptors.
    private static final class Read {
        static final MethodHandle HANDLE =
                LibC.downcall("read", FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG));
    }
    private static final class Write {
        static final MethodHandle HANDLE =
                LibC.downcall("write", FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG));
    }
    // The same calls without libc or errno (see Syscall), where available: null elsewhere.
    private static final FunctionDescriptor RAW_RW_FD = FunctionDescriptor.of(C_LONG, C_INT, C_LONG, C_LONG);
    private static final class RawRead {
        static final MethodHandle HANDLE = Syscall.handle(Syscall.READ, RAW_RW_FD, false);
    }
    private static final class RawWrite {
        static final MethodHandle HANDLE = Syscall.handle(Syscall.WRITE, RAW_RW_FD, false);
    }
    // close may block (SO_LINGER), so it is not critical either.
    private static final class Close {
        static final MethodHandle HANDLE =
                LibC.downcall("close", FunctionDescriptor.of(C_INT, C_INT));
    }
    private static final class Pipe2 {
        static final MethodHandle HANDLE =
                LibC.downcall("pipe2", FunctionDescriptor.of(C_INT, C_POINTER, C_INT), LibC.CRITICAL);
    }
    private static final class Fcntl {
        static final MethodHandle HANDLE =
                LibC.downcall("fcntl", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT),
                        Linker.Option.firstVariadicArg(2), LibC.CRITICAL);
    }

    // The credential calls wait for every thread of the process: never critical.
    private static final class Getpid {
        static final MethodHandle HANDLE = LibC.downcall("getpid", FunctionDescriptor.of(C_INT));
    }
    private static final class Setuid {
        static final MethodHandle HANDLE = LibC.downcall("setuid", FunctionDescriptor.of(C_INT, C_INT));
    }
    private static final class Setgid {
        static final MethodHandle HANDLE = LibC.downcall("setgid", FunctionDescriptor.of(C_INT, C_INT));
    }
    private static final class Setgroups {
        static final MethodHandle HANDLE =
                LibC.downcall("setgroups", FunctionDescriptor.of(C_INT, C_LONG, C_POINTER));
    }
    private static final class Getgroups {
        static final MethodHandle HANDLE =
                LibC.downcall("getgroups", FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
    }
    private static final FunctionDescriptor GETRES_FD = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER);
    private static final class Getresuid {
        static final MethodHandle HANDLE = LibC.downcall("getresuid", GETRES_FD);
    }
    private static final class Getresgid {
        static final MethodHandle HANDLE = LibC.downcall("getresgid", GETRES_FD);
    }

    /** {@code ssize_t read(int fd, void *buf, size_t count)}; EINTR is retried. */
    public static long read(int fd, MemorySegment buf, long count) {
        if (Syscall.AVAILABLE) {
            long a = Syscall.address(buf);
            try {
                long r;
                do {
                    r = (long) RawRead.HANDLE.invokeExact(fd, a, count);
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
                r = LibC.result((long) Read.HANDLE.invokeExact(st, fd, buf, count), st);
            } while (r == -Errno.EINTR);
            return r;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code ssize_t write(int fd, const void *buf, size_t count)}; EINTR is retried. */
    public static long write(int fd, MemorySegment buf, long count) {
        if (Syscall.AVAILABLE) {
            long a = Syscall.address(buf);
            try {
                long r;
                do {
                    r = (long) RawWrite.HANDLE.invokeExact(fd, a, count);
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
                r = LibC.result((long) Write.HANDLE.invokeExact(st, fd, buf, count), st);
            } while (r == -Errno.EINTR);
            return r;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * {@code int close(int fd)}. Never retried: on Linux the descriptor is released even
     * when close reports EINTR, and a retry could close a descriptor reused by another thread.
     */
    public static int close(int fd) {
        MemorySegment st = LibC.errnoState();
        try {
            int r = LibC.result((int) Close.HANDLE.invokeExact(st, fd), st);
            return r == -Errno.EINTR ? 0 : r;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int pipe2(int pipefd[2], int flags)}. */
    public static int pipe2(MemorySegment fds, int flags) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Pipe2.HANDLE.invokeExact(st, fds, flags), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int fcntl(int fd, int cmd, int arg)}. */
    public static int fcntl(int fd, int cmd, int arg) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Fcntl.HANDLE.invokeExact(st, fd, cmd, arg), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code pid_t getpid(void)}. */
    public static int getpid() {
        MemorySegment st = LibC.errnoState();
        try {
            return (int) Getpid.HANDLE.invokeExact(st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int setuid(uid_t uid)}, for every thread of the process (glibc). */
    public static int setuid(int uid) {
        return idCall(Setuid.HANDLE, uid);
    }

    /** {@code int setgid(gid_t gid)}, for every thread of the process (glibc). */
    public static int setgid(int gid) {
        return idCall(Setgid.HANDLE, gid);
    }

    private static int idCall(MethodHandle h, int id) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) h.invokeExact(st, id), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int setgroups(size_t n, const gid_t *list)}, for every thread of the process (glibc). */
    public static int setgroups(long n, MemorySegment list) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Setgroups.HANDLE.invokeExact(st, n, list), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int getgroups(int size, gid_t list[])}: the number of groups (with size 0, without writing). */
    public static int getgroups(int size, MemorySegment list) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Getgroups.HANDLE.invokeExact(st, size, list), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int getresuid(uid_t *ruid, uid_t *euid, uid_t *suid)}. */
    public static int getresuid(MemorySegment real, MemorySegment effective, MemorySegment saved) {
        return getres(Getresuid.HANDLE, real, effective, saved);
    }

    /** {@code int getresgid(gid_t *rgid, gid_t *egid, gid_t *sgid)}. */
    public static int getresgid(MemorySegment real, MemorySegment effective, MemorySegment saved) {
        return getres(Getresgid.HANDLE, real, effective, saved);
    }

    private static int getres(MethodHandle h, MemorySegment real, MemorySegment effective, MemorySegment saved) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) h.invokeExact(st, real, effective, saved), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }
}
