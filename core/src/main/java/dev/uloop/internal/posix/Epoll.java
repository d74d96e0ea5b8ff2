package dev.uloop.internal.posix;

import static dev.uloop.internal.posix.LibC.C_INT;
import static dev.uloop.internal.posix.LibC.C_LONG;
import static dev.uloop.internal.posix.LibC.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code <sys/epoll.h>}.
 *
 * <pre>{@code
 * typedef union epoll_data { void *ptr; int fd; uint32_t u32; uint64_t u64; } epoll_data_t;
 * struct epoll_event {
 *     uint32_t     events;   // EPOLLIN, EPOLLOUT, ...
 *     epoll_data_t data;     // uloop stores the fd here
 * } EPOLL_PACKED;            // packed on x86_64 only: 12 bytes there, 16 elsewhere
 * }</pre>
 */
public final class Epoll {
    private Epoll() {}

    public static final int EPOLL_CLOEXEC = Unistd.O_CLOEXEC;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;

    public static final int EPOLLIN = 0x001;
    public static final int EPOLLPRI = 0x002;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLRDHUP = 0x2000;

    /** {@code struct epoll_event}, packed on x86_64 (the kernel's EPOLL_PACKED). */
    public static final StructLayout EVENT = LibC.X86_64
            ? MemoryLayout.structLayout(
                    ValueLayout.JAVA_INT.withName("events"),
                    ValueLayout.JAVA_LONG_UNALIGNED.withName("data"))
            : MemoryLayout.structLayout(
                    ValueLayout.JAVA_INT.withName("events"),
                    MemoryLayout.paddingLayout(4),
                    ValueLayout.JAVA_LONG.withName("data"));
    public static final long EVENT_SIZE = EVENT.byteSize();
    public static final long EVENTS_OFFSET = EVENT.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    public static final long DATA_OFFSET = EVENT.byteOffset(MemoryLayout.PathElement.groupElement("data"));

    private static final class Create1 {
        static final MethodHandle HANDLE =
                LibC.downcall("epoll_create1", FunctionDescriptor.of(C_INT, C_INT));
    }
    private static final class Ctl {
        static final MethodHandle HANDLE =
                LibC.downcall("epoll_ctl", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER), LibC.CRITICAL);
    }
    private static final class Wait {
        static final MethodHandle HANDLE =
                LibC.downcall("epoll_wait", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_INT));
    }
    // A zero-timeout wait never blocks, so it may skip the thread state transition.
    private static final class WaitNow {
        static final MethodHandle HANDLE =
                LibC.downcall("epoll_wait", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_INT),
                        LibC.CRITICAL);
    }
    // The same calls without libc or errno (see Syscall), where available: null elsewhere.
    private static final class RawCtl {
        static final MethodHandle HANDLE = Syscall.handle(Syscall.EPOLL_CTL,
                FunctionDescriptor.of(C_LONG, C_INT, C_INT, C_INT, C_LONG), true);
    }
    private static final FunctionDescriptor RAW_WAIT_FD = FunctionDescriptor.of(C_LONG, C_INT, C_LONG, C_INT, C_INT);
    private static final class RawWait {
        static final MethodHandle HANDLE = Syscall.handle(Syscall.EPOLL_WAIT, RAW_WAIT_FD, false);
    }
    private static final class RawWaitNow {
        static final MethodHandle HANDLE = Syscall.handle(Syscall.EPOLL_WAIT, RAW_WAIT_FD, true);
    }


    /** {@code int epoll_create1(int flags)}. */
    public static int create1(int flags) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Create1.HANDLE.invokeExact(st, flags), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)}. */
    public static int ctl(int epfd, int op, int fd, MemorySegment event) {
        if (Syscall.AVAILABLE) {
            try {
                return (int) (long) RawCtl.HANDLE.invokeExact(epfd, op, fd, Syscall.address(event));
            } catch (Throwable t) {
                throw LibC.rethrow(t);
            }
        }
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Ctl.HANDLE.invokeExact(st, epfd, op, fd, event), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * {@code int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)}.
     * Returns {@code -EINTR} as is: the caller recomputes the time left.
     */
    public static int wait(int epfd, MemorySegment events, int maxevents, int timeoutMs) {
        if (Syscall.AVAILABLE) {
            long a = Syscall.address(events);
            try {
                return (int) (timeoutMs == 0
                        ? (long) RawWaitNow.HANDLE.invokeExact(epfd, a, maxevents, 0)
                        : (long) RawWait.HANDLE.invokeExact(epfd, a, maxevents, timeoutMs));
            } catch (Throwable t) {
                throw LibC.rethrow(t);
            }
        }
        MemorySegment st = LibC.errnoState();
        try {
            int r = timeoutMs == 0
                    ? (int) WaitNow.HANDLE.invokeExact(st, epfd, events, maxevents, 0)
                    : (int) Wait.HANDLE.invokeExact(st, epfd, events, maxevents, timeoutMs);
            return LibC.result(r, st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** Human-readable name of an epoll_ctl operation, for error messages. */
    public static String opName(int op) {
        return switch (op) {
            case EPOLL_CTL_ADD -> "ADD";
            case EPOLL_CTL_DEL -> "DEL";
            case EPOLL_CTL_MOD -> "MOD";
            default -> String.valueOf(op);
        };
    }
}
