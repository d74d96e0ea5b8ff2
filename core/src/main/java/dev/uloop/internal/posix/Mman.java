package dev.uloop.internal.posix;

import static dev.uloop.internal.posix.LibC.C_INT;
import static dev.uloop.internal.posix.LibC.C_LONG;
import static dev.uloop.internal.posix.LibC.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code <sys/mman.h>}: mmap and munmap, used to map the rings an io_uring instance
 * shares with the kernel, and memory that should cost nothing until it is used.
 */
public final class Mman {
    private Mman() {}

    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int PROT_EXEC = 0x4;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;

    /** The address mmap returns on failure, {@code (void *) -1}. */
    public static final long MAP_FAILED = -1L;

    private static final class Mmap {
        static final MethodHandle HANDLE = LibC.downcall("mmap",
                FunctionDescriptor.of(C_POINTER, C_POINTER, C_LONG, C_INT, C_INT, C_INT, C_LONG), LibC.CRITICAL);
    }
    private static final class Mprotect {
        static final MethodHandle HANDLE = LibC.downcall("mprotect",
                FunctionDescriptor.of(C_INT, C_LONG, C_LONG, C_INT), LibC.CRITICAL);
    }
    private static final class Munmap {
        static final MethodHandle HANDLE = LibC.downcall("munmap",
                FunctionDescriptor.of(C_INT, C_POINTER, C_LONG), LibC.CRITICAL);
    }

    /**
     * {@code void *mmap(NULL, size_t length, int prot, int flags, int fd, off_t offset)}.
     * User-space addresses are positive, so the result fits the {@code -errno} convention.
     *
     * @return the address of the mapping, or {@code -errno}
     */
    public static long mmap(long length, int prot, int flags, int fd, long offset) {
        MemorySegment st = LibC.errnoState();
        try {
            MemorySegment p =
                    (MemorySegment) Mmap.HANDLE.invokeExact(st, MemorySegment.NULL, length, prot, flags, fd, offset);
            return p.address() == MAP_FAILED ? -LibC.errno(st) : p.address();
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * Zeroed memory of {@code length} bytes that costs nothing until it is touched: an
     * anonymous private mapping, whose pages become resident only when written (by the
     * program or by the kernel), unmapped when {@code arena} closes. {@code Arena.allocate}
     * writes every byte (it zeroes), so a large buffer pool allocated there is resident
     * at once even if most of it is never used.
     *
     * @throws NativeException when the mapping fails
     */
    public static MemorySegment anonymous(long length, Arena arena) {
        long addr = mmap(length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (addr < 0) {
            throw Errors.exception("mmap(" + length + " bytes, anonymous)", (int) -addr);
        }
        return MemorySegment.ofAddress(addr).reinterpret(length, arena, s -> munmap(s, s.byteSize()));
    }

    /** {@code int munmap(void *addr, size_t length)}. */
    public static int munmap(MemorySegment addr, long length) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Munmap.HANDLE.invokeExact(st, addr, length), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int mprotect(void *addr, size_t length, int prot)}, the address as a number. */
    public static int mprotect(long addr, long length, int prot) {
        MemorySegment st = LibC.errnoState();
        try {
            return LibC.result((int) Mprotect.HANDLE.invokeExact(st, addr, length, prot), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }
}
