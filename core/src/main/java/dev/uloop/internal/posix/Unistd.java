package dev.uloop.internal.posix;

import static dev.uloop.internal.posix.LibC.C_INT;
import static dev.uloop.internal.posix.LibC.C_LONG;
import static dev.uloop.internal.posix.LibC.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code <unistd.h>} and {@code <fcntl.h>}: read, write, close, pipe2, fcntl.
 * Each wrapper returns the result, or {@code -errno} on failure.
 */
public final class Unistd {
    private Unistd() {}

    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int F_GETFD = 1;
    /** Duplicates to the lowest free descriptor at or above the argument, close-on-exec. */
    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;

    // read/write stay non-critical: they may be used on blocking descriptors.
    private static final MethodHandle READ =
            LibC.downcall("read", FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG));
    private static final MethodHandle WRITE =
            LibC.downcall("write", FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG));
    // close may block (SO_LINGER), so it is not critical either.
    private static final MethodHandle CLOSE =
            LibC.downcall("close", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle PIPE2 =
            LibC.downcall("pipe2", FunctionDescriptor.of(C_INT, C_POINTER, C_INT), LibC.CRITICAL);
    private static final MethodHandle FCNTL =
            LibC.downcall("fcntl", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT),
                    Linker.Option.firstVariadicArg(2), LibC.CRITICAL);

    /** {@code ssize_t read(int fd, void *buf, size_t count)}; EINTR is retried. */
    public static long read(int fd, MemorySegment buf, long count) {
        MemorySegment st = LibC.errnoState();
        try {
            long r;
            do {
                r = LibC.result((long) READ.invokeExact(st, fd, buf, count), st);
            } while (r == -Errno.EINTR);
            return r;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code ssize_t write(int fd, const void *buf, size_t count)}; EINTR is retried. */
    public static long write(int fd, MemorySegment buf, long count) {
        MemorySegment st = LibC.errnoState();
        try {
            long r;
            do {
                r = LibC.result((long) WRITE.invokeExact(st, fd, buf, count), st);
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
            int r = LibC.result((int) CLOSE.invokeExact(st, fd), st);
            return r == -Errno.EINTR ? 0 : r;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int pipe2(int pipefd[2], int flags)}. */
    public static int pipe2(MemorySegment fds, int flags) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) PIPE2.invokeExact(st, fds, flags), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int fcntl(int fd, int cmd, int arg)}. */
    public static int fcntl(int fd, int cmd, int arg) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) FCNTL.invokeExact(st, fd, cmd, arg), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }
}
