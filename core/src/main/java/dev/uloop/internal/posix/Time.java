package dev.uloop.internal.posix;

import static dev.uloop.internal.posix.LibC.C_INT;
import static dev.uloop.internal.posix.LibC.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code <time.h>} clocks. {@code clock_gettime} is served by the vDSO on Linux, so reading
 * the wall clock costs tens of nanoseconds and no system call; the binding is critical (no
 * thread state transition) and writes into a per-thread {@code struct timespec}.
 */
public final class Time {
    private Time() {}

    public static final int CLOCK_REALTIME = 0;
    /** {@code struct timespec}: {@code time_t tv_sec; long tv_nsec;} on LP64. */
    public static final long TIMESPEC_SIZE = 16;

    private static final FunctionDescriptor CLOCK_FD = FunctionDescriptor.of(C_INT, C_INT, C_POINTER);
    private static final class ClockGettime {
        static final MethodHandle HANDLE = LibC.plainDowncall("clock_gettime", CLOCK_FD, LibC.CRITICAL);
    }
    private static final class ClockGetres {
        static final MethodHandle HANDLE = LibC.plainDowncall("clock_getres", CLOCK_FD);
    }

    private static final ThreadLocal<MemorySegment> TIMESPEC =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(TIMESPEC_SIZE, 8));

    /**
     * Whether the C library has {@code clock_gettime}.
     *
     * @return true on POSIX systems
     */
    public static boolean available() {
        return ClockGettime.HANDLE != null;
    }

    /**
     * Reads a clock.
     *
     * @param clock for example {@link #CLOCK_REALTIME}
     * @return nanoseconds since the clock's epoch, or {@link Long#MIN_VALUE} if the call failed
     */
    public static long nanos(int clock) {
        MemorySegment ts = TIMESPEC.get();
        try {
            int r = (int) ClockGettime.HANDLE.invokeExact(clock, ts);
            return r == 0 ? timespecNanos(ts, 0) : Long.MIN_VALUE;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * The resolution of a clock.
     *
     * @param clock for example {@link #CLOCK_REALTIME}
     * @return nanoseconds, or -1 if unknown
     */
    public static long resolution(int clock) {
        if (ClockGetres.HANDLE == null) {
            return -1;
        }
        MemorySegment ts = TIMESPEC.get();
        try {
            int r = (int) ClockGetres.HANDLE.invokeExact(clock, ts);
            return r == 0 ? timespecNanos(ts, 0) : -1;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * Reads a {@code struct timespec}.
     *
     * @param seg    memory holding it
     * @param offset where it starts
     * @return seconds times 10^9 plus nanoseconds
     */
    public static long timespecNanos(MemorySegment seg, long offset) {
        long sec = seg.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
        long nsec = seg.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 8);
        return sec * 1_000_000_000L + nsec;
    }
}
