package dev.uloop.internal.posix;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The system calls of the hot paths (receive, send, the kernel waits, the wake-up
 * descriptor's read and write), made without libc
 * and without errno: each is a stub of four instructions that loads the call's number,
 * enters the kernel and returns what the kernel returned, a count or {@code -errno}, the
 * convention of every binding here.
 *
 * <p>Why: a libc call reports failure in errno, and the only safe way to read errno from
 * Java is to link the call with {@code captureCallState}; the JDK then slices the capture
 * segment on every call, one 40-byte object, which only the JIT's escape analysis removes,
 * in some compilations and not in others. A stub that returns {@code -errno} needs no
 * capture, so a receive, a send or a wait allocates nothing, interpreted or compiled.
 *
 * <p>The stubs live in one page mapped at class initialisation, written, then made
 * read-and-execute (never writable and executable at once), and kept for the life of the
 * JVM. They exist on x86_64 Linux only; elsewhere, or where the kernel refuses executable
 * memory, or with {@code -Duloop.directSyscalls=false}, {@link #AVAILABLE} is false and the
 * bindings use libc with errno capture, as before. Either way only one of the two handles
 * of a call is ever linked: each sits in a holder class initialised on first use (see
 * {@link LibC}), and the bindings reach the direct one only when {@link #AVAILABLE}.
 */
public final class Syscall {
    private Syscall() {}

    // x86_64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl).
    static final int READ = 0;
    static final int WRITE = 1;
    static final int POLL = 7;
    static final int SELECT = 23;
    static final int SENDTO = 44;
    static final int RECVFROM = 45;
    static final int RECVMSG = 47;
    static final int EPOLL_WAIT = 232;
    static final int EPOLL_CTL = 233;
    static final int IO_URING_ENTER = 426;

    private static final int[] NUMBERS = {READ, WRITE, POLL, SELECT, SENDTO, RECVFROM, RECVMSG, EPOLL_WAIT, EPOLL_CTL, IO_URING_ENTER};
    private static final int STUB_SIZE = 16;
    private static final int PAGE = 4096;

    /** Whether the direct calls are in use; when false, {@link #handle} returns null. */
    public static final boolean AVAILABLE;
    private static final long CODE;          // the stubs' page, or 0

    static {
        long code = 0;
        if (LibC.X86_64 && LibC.LINUX && !"false".equals(System.getProperty("uloop.directSyscalls"))) {
            code = map();
        }
        CODE = code;
        AVAILABLE = code != 0;
    }

    /** Maps, writes and seals the stubs; 0 when the kernel refuses (no executable memory). */
    private static long map() {
        long page = Mman.mmap(PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        if (page < 0) {
            return 0;
        }
        MemorySegment code = MemorySegment.ofAddress(page).reinterpret(PAGE);
        code.fill((byte) 0xCC);                                  // int3 between the stubs
        for (int i = 0; i < NUMBERS.length; i++) {
            write(code.asSlice((long) i * STUB_SIZE, STUB_SIZE), NUMBERS[i]);
        }
        if (Mman.mprotect(page, PAGE, Mman.PROT_READ | Mman.PROT_EXEC) < 0) {
            return 0;                                            // the page stays mapped but unused
        }
        return page;
    }

    /**
     * One stub: the C calling convention passes the fourth argument in rcx, the kernel's
     * in r10; rcx and r11 are clobbered by {@code syscall}, both caller-saved.
     *
     * <pre>
     * b8 nn nn nn nn   mov  eax, number
     * 49 89 ca         mov  r10, rcx
     * 0f 05            syscall
     * c3               ret
     * </pre>
     */
    private static void write(MemorySegment stub, int number) {
        byte[] b = {(byte) 0xB8, (byte) number, (byte) (number >>> 8), (byte) (number >>> 16), (byte) (number >>> 24),
            0x49, (byte) 0x89, (byte) 0xCA, 0x0F, 0x05, (byte) 0xC3};
        MemorySegment.copy(b, 0, stub, ValueLayout.JAVA_BYTE, 0, b.length);
    }

    /**
     * The address of a native segment, to pass to a stub. The segment must stay alive (and
     * its arena open) during the call, which the loop's own buffers do.
     *
     * @throws IllegalArgumentException for a heap segment, which has no address of its own
     */
    static long address(MemorySegment s) {
        if (!s.isNative()) {
            throw new IllegalArgumentException("a heap segment cannot be passed to the kernel: " + s);
        }
        return s.address();
    }

    /**
     * A handle on the stub of system call {@code number}, or null when the direct calls are
     * not available. Arguments and result are the kernel's: integers and addresses as
     * {@code long}s (the kernel reads whole registers and narrows int arguments itself),
     * the result a count or {@code -errno}. {@code critical} is for calls that never block.
     */
    static MethodHandle handle(int number, FunctionDescriptor fd, boolean critical) {
        if (!AVAILABLE) {
            return null;
        }
        int slot = 0;
        while (slot < NUMBERS.length && NUMBERS[slot] != number) {
            slot++;
        }
        if (slot == NUMBERS.length) {
            throw new IllegalArgumentException("no stub for system call " + number);
        }
        MemorySegment target = MemorySegment.ofAddress(CODE + (long) slot * STUB_SIZE);
        return critical
                ? LibC.LINKER.downcallHandle(target, fd, LibC.CRITICAL)
                : LibC.LINKER.downcallHandle(target, fd);
    }
}
