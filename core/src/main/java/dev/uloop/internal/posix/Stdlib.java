package dev.uloop.internal.posix;

import static dev.uloop.internal.posix.LibC.C_LONG;
import static dev.uloop.internal.posix.LibC.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code <stdlib.h>}: malloc and free, for native memory whose owner knows exactly when it
 * is no longer used (a pool that gives back what it does not keep), so that it is returned
 * at once instead of when the garbage collector next runs.
 */
public final class Stdlib {
    private Stdlib() {}

    private static final class Malloc {
        static final MethodHandle HANDLE =
                LibC.plainDowncall("malloc", FunctionDescriptor.of(C_POINTER, C_LONG), LibC.CRITICAL);
    }
    private static final class Free {
        static final MethodHandle HANDLE =
                LibC.plainDowncall("free", FunctionDescriptor.ofVoid(C_POINTER), LibC.CRITICAL);
    }

    /**
     * {@code void *malloc(size_t size)}: {@code size} bytes, not zeroed.
     *
     * @throws OutOfMemoryError when the C library has no memory to give
     */
    public static MemorySegment malloc(long size) {
        MemorySegment p;
        try {
            p = (MemorySegment) Malloc.HANDLE.invokeExact(size);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
        if (p.address() == 0) {
            throw new OutOfMemoryError("malloc(" + size + ") failed");
        }
        return p.reinterpret(size);
    }

    /** {@code void free(void *ptr)}: the memory must not be used afterwards. */
    public static void free(MemorySegment p) {
        try {
            Free.HANDLE.invokeExact(p);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }
}
