package dev.uloop.internal.posix;

import static dev.uloop.internal.posix.LibC.C_INT;
import static dev.uloop.internal.posix.LibC.C_LONG;
import static dev.uloop.internal.posix.LibC.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code <sys/select.h>}.
 *
 * <pre>{@code
 * typedef struct { long fds_bits[FD_SETSIZE / 64]; } fd_set;  // 1024 bits, 128 bytes
 * struct timeval { time_t tv_sec; suseconds_t tv_usec; };     // 16 bytes
 * }</pre>
 *
 * <p>The kernel reads and writes {@code ceil(nfds / 64)} longs of each set. Linux accepts
 * any nfds up to the process's descriptor table size, so uloop sizes its sets to the
 * highest registered fd instead of FD_SETSIZE (as libevent does).
 */
public final class Select {
    private Select() {}

    /** The size glibc's {@code fd_set} type has; Linux's select itself is not bound by it. */
    public static final int FD_SETSIZE = 1024;

    /** {@code fd_set} as glibc declares it. */
    public static final SequenceLayout FD_SET = MemoryLayout.sequenceLayout(FD_SETSIZE / 64, ValueLayout.JAVA_LONG);

    /** {@code struct timeval}. */
    public static final StructLayout TIMEVAL = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("tv_sec"),
            ValueLayout.JAVA_LONG.withName("tv_usec"));

    private static final class SelectCall {
        static final MethodHandle HANDLE = LibC.downcall("select",
                FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER));
    }
    // The same call without libc or errno (see Syscall), where available: null elsewhere.
    private static final class RawSelect {
        static final MethodHandle HANDLE = Syscall.handle(Syscall.SELECT,
                FunctionDescriptor.of(C_LONG, C_INT, C_LONG, C_LONG, C_LONG, C_LONG), false);
    }


    /**
     * {@code int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *timeout)}.
     * EINTR is returned as is.
     */
    public static int select(int nfds, MemorySegment r, MemorySegment w, MemorySegment e, MemorySegment timeout) {
        if (Syscall.AVAILABLE) {
            try {
                return (int) (long) RawSelect.HANDLE.invokeExact(nfds, Syscall.address(r), Syscall.address(w),
                        Syscall.address(e), Syscall.address(timeout));
            } catch (Throwable t) {
                throw LibC.rethrow(t);
            }
        }
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) SelectCall.HANDLE.invokeExact(st, nfds, r, w, e, timeout), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }
}
