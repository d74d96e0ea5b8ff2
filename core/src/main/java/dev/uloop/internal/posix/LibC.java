package dev.uloop.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * Linker, symbol lookup and errno capture shared by the binding classes.
 *
 * <p>Every binding is linked with {@code captureCallState("errno")}: the handle takes a
 * leading segment where the JVM stores errno right after the call. That segment is
 * per thread ({@link #errnoState()}), never one static segment shared by all threads.
 * Wrappers return the raw result when it is not negative and {@code -errno} when the call
 * failed, as Netty's JNI layer does; policy (exceptions, retries) lives in the callers.
 *
 * <p>Linking a downcall costs a few milliseconds (the JDK generates and loads classes for
 * it), so each binding is linked on first use: its handle is the {@code static final}
 * field of a small holder class of its own, which the JVM initialises when the call is
 * first made. A program links only the calls it makes, and never the libc twin of a call
 * made through {@link Syscall}; once initialised, the field is a constant to the JIT, so a
 * call costs nothing more than with an eager field.
 */
public final class LibC {
    private LibC() {}

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LOOKUP = LINKER.defaultLookup();

    /** The layout of the captured call state: {@code [i4(errno)]} on Linux. */
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** Marks calls short enough to skip the thread state transition (never blocking ones). */
    static final Linker.Option CRITICAL = Linker.Option.critical(false);

    /** Per-thread errno slot; GC-managed so that short-lived (virtual) threads do not leak. */
    private static final ThreadLocal<MemorySegment> ERRNO_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    /** {@code true} on x86_64, where some kernel structs are packed. */
    public static final boolean X86_64;
    /** {@code true} when the operating system is Linux. */
    public static final boolean LINUX;

    static {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        X86_64 = arch.equals("amd64") || arch.equals("x86_64");
        LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    // C types on LP64 platforms.
    static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    static final ValueLayout C_POINTER = ValueLayout.ADDRESS;

    /**
     * Whether libc exports the symbol.
     *
     * @param name a C function name
     * @return true when it can be linked
     */
    public static boolean has(String name) {
        return LOOKUP.find(name).isPresent();
    }

    /**
     * Links a libc function with errno capture. A missing symbol links to a handle that
     * throws {@link UnsupportedOperationException} when called, so that classes load on
     * platforms that lack some calls.
     */
    static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        Optional<MemorySegment> symbol = LOOKUP.find(name);
        if (symbol.isPresent()) {
            return LINKER.downcallHandle(symbol.get(), fd, options);
        }
        MethodType type = fd.toMethodType().insertParameterTypes(0, MemorySegment.class);
        MethodHandle thrower = MethodHandles.throwException(type.returnType(), UnsupportedOperationException.class)
                .bindTo(new UnsupportedOperationException(name + "() is not available in this C library"));
        return MethodHandles.dropArguments(thrower, 0, type.parameterList());
    }

    /** Links a libc function without errno capture (for calls that cannot fail); null if it is missing. */
    static MethodHandle plainDowncall(String name, FunctionDescriptor fd, Linker.Option... options) {
        return LOOKUP.find(name).map(s -> LINKER.downcallHandle(s, fd, options)).orElse(null);
    }

    /**
     * The calling thread's errno slot, to pass as the first argument of a capturing handle.
     *
     * @return a 4-byte segment owned by the current thread
     */
    static MemorySegment errnoState() {
        return ERRNO_STATE.get();
    }

    /** The errno stored in {@code state} by the last capturing call on this thread. */
    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** Turns a result into {@code -errno} when the call reported failure with -1. */
    static int result(int r, MemorySegment state) {
        return r >= 0 ? r : -errno(state);
    }

    /** Same as {@link #result(int, MemorySegment)} for {@code ssize_t} results. */
    static long result(long r, MemorySegment state) {
        return r >= 0 ? r : -errno(state);
    }

    /** Wraps what {@code invokeExact} threw; linkage is fixed, so this means a JVM-level failure. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}
