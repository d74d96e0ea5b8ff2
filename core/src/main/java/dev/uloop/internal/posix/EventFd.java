package dev.uloop.internal.posix;

import static dev.uloop.internal.posix.LibC.C_INT;
import static dev.uloop.internal.posix.LibC.C_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code <sys/eventfd.h>}. {@code eventfd_write} takes its value directly, so another
 * thread can wake a loop without touching the loop's memory.
 */
public final class EventFd {
    private EventFd() {}

    public static final int EFD_NONBLOCK = Unistd.O_NONBLOCK;
    public static final int EFD_CLOEXEC = Unistd.O_CLOEXEC;

    private static final class Eventfd {
        static final MethodHandle HANDLE =
                LibC.downcall("eventfd", FunctionDescriptor.of(C_INT, C_INT, C_INT), LibC.CRITICAL);
    }
    private static final class EventfdWrite {
        static final MethodHandle HANDLE =
                LibC.downcall("eventfd_write", FunctionDescriptor.of(C_INT, C_INT, C_LONG), LibC.CRITICAL);
    }

    /**
     * Whether this platform has eventfd.
     *
     * @return true on Linux with glibc
     */
    public static boolean available() {
        return LibC.LINUX && LibC.has("eventfd") && LibC.has("eventfd_write");
    }

    /** {@code int eventfd(unsigned int initval, int flags)}. */
    public static int eventfd(int initval, int flags) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Eventfd.HANDLE.invokeExact(st, initval, flags), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int eventfd_write(int fd, eventfd_t value)}. */
    public static int write(int fd, long value) {
        MemorySegment st = LibC.errnoState();
        try {
            int r;
            do {
                r = LibC.result((int) EventfdWrite.HANDLE.invokeExact(st, fd, value), st);
            } while (r == -Errno.EINTR);
            return r;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }
}
