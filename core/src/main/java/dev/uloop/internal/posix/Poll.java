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
 * {@code <poll.h>}.
 *
 * <pre>{@code
 * struct pollfd {
 *     int   fd;       // negative: ignored by the kernel
 *     short events;   // requested events
 *     short revents;  // returned events
 * };                  // 8 bytes
 * }</pre>
 */
public final class Poll {
    private Poll() {}

    public static final int POLLIN = 0x001;
    public static final int POLLPRI = 0x002;
    public static final int POLLOUT = 0x004;
    public static final int POLLERR = 0x008;
    public static final int POLLHUP = 0x010;
    public static final int POLLNVAL = 0x020;
    public static final int POLLRDHUP = 0x2000;

    /** {@code struct pollfd}. */
    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("fd"),
            ValueLayout.JAVA_SHORT.withName("events"),
            ValueLayout.JAVA_SHORT.withName("revents"));
    public static final long POLLFD_SIZE = POLLFD.byteSize();
    public static final long FD_OFFSET = 0;
    public static final long EVENTS_OFFSET = 4;
    public static final long REVENTS_OFFSET = 6;

    private static final class PollCall {
        static final MethodHandle HANDLE =
                LibC.downcall("poll", FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_INT));
    }
    // The same call without libc or errno (see Syscall), where available: null elsewhere.
    private static final class RawPoll {
        static final MethodHandle HANDLE =
                Syscall.handle(Syscall.POLL, FunctionDescriptor.of(C_LONG, C_LONG, C_LONG, C_INT), false);
    }


    /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)}; EINTR is returned as is. */
    public static int poll(MemorySegment fds, long nfds, int timeoutMs) {
        if (Syscall.AVAILABLE) {
            try {
                return (int) (long) RawPoll.HANDLE.invokeExact(Syscall.address(fds), nfds, timeoutMs);
            } catch (Throwable t) {
                throw LibC.rethrow(t);
            }
        }
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) PollCall.HANDLE.invokeExact(st, fds, nfds, timeoutMs), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }
}
