package dev.uloop.internal.uring;

import static dev.uloop.internal.posix.IoUring.IORING_FEAT_EXT_ARG;
import static dev.uloop.internal.posix.IoUring.IORING_FEAT_NODROP;
import static dev.uloop.internal.posix.IoUring.IORING_OP_NOP;
import static dev.uloop.internal.posix.IoUring.IORING_OP_POLL_ADD;
import static dev.uloop.internal.posix.IoUring.IORING_OP_POLL_REMOVE;
import static dev.uloop.internal.posix.IoUring.IORING_REGISTER_PROBE;
import static dev.uloop.internal.posix.IoUring.IO_URING_OP_SUPPORTED;
import static dev.uloop.internal.posix.IoUring.PARAMS;
import static dev.uloop.internal.posix.IoUring.PARAMS_FEATURES;
import static dev.uloop.internal.posix.IoUring.PROBE;
import static dev.uloop.internal.posix.IoUring.PROBE_OP;
import static dev.uloop.internal.posix.IoUring.opName;
import static dev.uloop.internal.posix.IoUring.register;
import static dev.uloop.internal.posix.IoUring.setup;

import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.IoUring;
import dev.uloop.internal.posix.LibC;
import dev.uloop.internal.posix.Unistd;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Whether this process may use io_uring, and why not: {@link #support()} probes once (no
 * io_uring in the kernel, a seccomp filter, the {@code kernel.io_uring_disabled} sysctl, a
 * kernel older than uloop needs) and keeps the reason; the probe itself
 * ({@link #probe(ProbeKernel)}) takes its kernel as a parameter so that tests can simulate
 * every refusal. {@link #completionUnsupportedReason()} asks the kernel, once, for the
 * opcodes completion mode needs.
 */
public final class IoUringProbe {
    private IoUringProbe() {}

    /** What uloop needs from the kernel: timed waits in io_uring_enter, and no dropped completions. */
    public static final int REQUIRED_FEATURES = IORING_FEAT_EXT_ARG | IORING_FEAT_NODROP;

    /** The sysctl that restricts io_uring (Linux 6.6+): 0 allowed, 1 only for a group, 2 disabled. */
    public static final Path DISABLED_SYSCTL = Path.of("/proc/sys/kernel/io_uring_disabled");

    /**
     * Whether this process may use io_uring, and why not.
     *
     * @param available true when a ring can be set up with every feature uloop needs
     * @param reason    why it is not available (null when it is), e.g.
     *                  {@code io_uring_setup: EPERM (Operation not permitted): ...}
     * @param features  the {@code IORING_FEAT_*} bits the kernel reported (0 when unavailable)
     */
    public record Support(boolean available, String reason, int features) {
        static Support no(String reason) {
            return new Support(false, reason, 0);
        }
    }

    /** The kernel as the probe sees it; tests replace it to simulate refusals. */
    public interface ProbeKernel {
        /** {@code io_uring_setup}: the ring's fd, or -errno. */
        int setup(int entries, MemorySegment params);

        /** {@code io_uring_register(fd, IORING_REGISTER_PROBE, probe, nrOps)}: 0 or -errno. */
        int registerProbe(int ringFd, MemorySegment probe, int nrOps);

        /** Closes the probe's ring. */
        void close(int fd);

        /** The content of {@link #DISABLED_SYSCTL}, or null when the kernel has no such sysctl. */
        String disabledSysctl();
    }

    /** The real kernel. */
    public static final ProbeKernel KERNEL = new ProbeKernel() {
        @Override
        public int setup(int entries, MemorySegment params) {
            return IoUring.setup(entries, params);
        }

        @Override
        public int registerProbe(int ringFd, MemorySegment probe, int nrOps) {
            return IoUring.register(ringFd, IORING_REGISTER_PROBE, probe, nrOps);
        }

        @Override
        public void close(int fd) {
            Unistd.close(fd);
        }

        @Override
        public String disabledSysctl() {
            try {
                return Files.readString(DISABLED_SYSCTL).trim();
            } catch (IOException | SecurityException e) {     // absent before Linux 6.6
                return null;
            }
        }
    };

    private static final class Probed {
        static final Support SUPPORT = probeThisProcess();
    }

    /**
     * Whether io_uring can be used here: probed once (a two-entry ring set up and closed
     * again), then cached.
     *
     * @return the cached result
     */
    public static Support support() {
        return Probed.SUPPORT;
    }

    /**
     * Whether io_uring can be used here.
     *
     * @return {@code support().available()}
     */
    public static boolean available() {
        return support().available();
    }

    private static Support probeThisProcess() {
        if (!LibC.LINUX) {
            return Support.no("io_uring is Linux only");
        }
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!LibC.X86_64 && !arch.equals("aarch64") && !arch.equals("arm64")) {
            return Support.no("uloop knows the io_uring system call numbers of x86_64 and aarch64 only, not " + arch);
        }
        if (!LibC.has("syscall")) {
            return Support.no("the C library has no syscall() to call io_uring_setup with");
        }
        try {
            return probe(KERNEL);
        } catch (RuntimeException | LinkageError e) {
            return Support.no("the io_uring probe failed: " + e);
        }
    }

    /** Ops uloop submits, checked with IORING_REGISTER_PROBE. */
    private static final int[] REQUIRED_OPS = {IORING_OP_NOP, IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE};
    private static final int PROBE_OPS = 64;

    /**
     * The probe: reads the sysctl, sets up a two-entry ring, checks its features and that
     * the kernel supports the poll opcodes, and closes it again.
     *
     * @param kernel the kernel to ask ({@link #KERNEL}, or a fake in tests)
     * @return whether io_uring is usable, with the reason when it is not
     */
    public static Support probe(ProbeKernel kernel) {
        String sysctl = kernel.disabledSysctl();
        if ("2".equals(sysctl)) {
            return Support.no("disabled by sysctl: kernel.io_uring_disabled=2");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = a.allocate(PARAMS);
            int fd = kernel.setup(2, params);
            if (fd < 0) {
                return Support.no(setupRefused(-fd, sysctl));
            }
            try {
                int features = params.get(ValueLayout.JAVA_INT, PARAMS_FEATURES);
                if ((features & IORING_FEAT_NODROP) == 0) {
                    return Support.no("this kernel's io_uring may drop completions (no IORING_FEAT_NODROP,"
                            + " Linux 5.5+ needed)");
                }
                if ((features & IORING_FEAT_EXT_ARG) == 0) {
                    return Support.no("this kernel's io_uring_enter has no timeout argument (no IORING_FEAT_EXT_ARG,"
                            + " Linux 5.11+ needed)");
                }
                MemorySegment probe = a.allocate(PROBE.byteSize() + PROBE_OPS * PROBE_OP.byteSize(), 8);
                int r = kernel.registerProbe(fd, probe, PROBE_OPS);
                if (r < 0) {
                    return Support.no("io_uring_register(PROBE): " + Errno.name(-r) + " (" + Errno.description(-r) + ")");
                }
                int opsLen = Byte.toUnsignedInt(probe.get(ValueLayout.JAVA_BYTE, 1));
                for (int op : REQUIRED_OPS) {
                    long base = PROBE.byteSize() + op * PROBE_OP.byteSize();
                    int flags = op < opsLen ? Short.toUnsignedInt(probe.get(ValueLayout.JAVA_SHORT, base + 2)) : 0;
                    if ((flags & IO_URING_OP_SUPPORTED) == 0) {
                        return Support.no("this kernel's io_uring does not support opcode " + op
                                + " (" + opName(op) + "), or a restriction forbids it");
                    }
                }
                return new Support(true, null, features);
            } finally {
                kernel.close(fd);
            }
        }
    }

    private static String setupRefused(int errno, String sysctl) {
        String call = "io_uring_setup: " + Errno.name(errno) + " (" + Errno.description(errno) + ")";
        return switch (errno) {
            case Errno.ENOSYS -> call + ": the kernel has no io_uring (before Linux 5.1, built without it,"
                    + " or hidden by a seccomp filter)";
            case Errno.EPERM -> "1".equals(sysctl)
                    ? call + ": kernel.io_uring_disabled=1 allows io_uring only to members of kernel.io_uring_group"
                    : call + ": refused by a seccomp filter or security policy (container runtimes often block io_uring)";
            case Errno.EACCES -> call + ": refused by a security policy";
            case Errno.EINVAL -> call + ": the kernel refused the ring's parameters (a kernel older than uloop needs?)";
            case Errno.ENOMEM -> call + ": no memory for the ring (RLIMIT_MEMLOCK, on kernels before 5.12)";
            default -> call;
        };
    }

    /** The opcodes completion mode needs; their presence (SEND_ZC) also says Linux 6.0+ for multishot RECV. */
    private static final int[] COMPLETION_OPS = {IoUring.IORING_OP_ACCEPT, IoUring.IORING_OP_RECV,
        IoUring.IORING_OP_SEND, IoUring.IORING_OP_SEND_ZC, IoUring.IORING_OP_ASYNC_CANCEL};

    private static final class CompletionProbed {
        static final String REASON = completionProbe();
    }

    private static String completionProbe() {
        if (!available()) {
            return support().reason();
        }
        String u = unsupportedOps(COMPLETION_OPS);
        return u == null ? null : u + " (completion mode needs Linux 6.0+: multishot RECV, provided buffer rings)";
    }

    /**
     * Why this kernel cannot do completion-based socket I/O (the io_uring-completion
     * backend), asked once per process.
     *
     * @return null when it can, else the reason
     */
    public static String completionUnsupportedReason() {
        return CompletionProbed.REASON;
    }

    /**
     * Whether this kernel's io_uring supports every opcode in {@code ops}, asked with
     * IORING_REGISTER_PROBE on a small ring set up for the purpose.
     *
     * @return null when it does, else why not
     */
    public static String unsupportedOps(int... ops) {
        Support s = support();
        if (!s.available()) {
            return s.reason();
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = a.allocate(PARAMS);
            int fd = setup(2, params);
            if (fd < 0) {
                return setupRefused(-fd, null);
            }
            try {
                MemorySegment probe = a.allocate(PROBE.byteSize() + PROBE_OPS * PROBE_OP.byteSize(), 8);
                int r = register(fd, IORING_REGISTER_PROBE, probe, PROBE_OPS);
                if (r < 0) {
                    return "io_uring_register(PROBE): " + Errno.name(-r) + " (" + Errno.description(-r) + ")";
                }
                int opsLen = Byte.toUnsignedInt(probe.get(ValueLayout.JAVA_BYTE, 1));
                for (int op : ops) {
                    long base = PROBE.byteSize() + op * PROBE_OP.byteSize();
                    int flags = op < opsLen ? Short.toUnsignedInt(probe.get(ValueLayout.JAVA_SHORT, base + 2)) : 0;
                    if ((flags & IO_URING_OP_SUPPORTED) == 0) {
                        return "this kernel's io_uring does not support opcode " + op + " (" + opName(op) + ")";
                    }
                }
                return null;
            } finally {
                Unistd.close(fd);
            }
        }
    }
}
