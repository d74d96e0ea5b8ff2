package dev.uloop.internal.uring;

import dev.uloop.internal.posix.IoUring;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** A simulated kernel for the io_uring probe, to reproduce refusals (ENOSYS, EPERM, the sysctl, old kernels). */
public final class FakeIoUringKernel implements IoUringProbe.ProbeKernel {
    final int setupResult;
    final int features;
    final int[] ops;
    final String sysctl;
    /** The calls made, in order, e.g. {@code setup(2)}, {@code probe(42)}, {@code close(42)}. */
    final List<String> calls = new ArrayList<>();

    /**
     * A kernel whose io_uring_setup returns {@code setupResult} (a ring fd, or -errno) and
     * reports {@code features}, whose sysctl reads {@code sysctl} (null: absent), and which
     * supports the opcodes {@code ops}.
     */
    public FakeIoUringKernel(int setupResult, int features, String sysctl, int... ops) {
        this.setupResult = setupResult;
        this.features = features;
        this.sysctl = sysctl;
        this.ops = ops;
    }

    @Override
    public int setup(int entries, MemorySegment params) {
        calls.add("setup(" + entries + ")");
        params.set(ValueLayout.JAVA_INT, IoUring.PARAMS_FEATURES, features);
        return setupResult;
    }

    @Override
    public int registerProbe(int ringFd, MemorySegment probe, int nrOps) {
        calls.add("probe(" + ringFd + ")");
        int last = 0;
        for (int op : ops) {
            long base = IoUring.PROBE.byteSize() + op * IoUring.PROBE_OP.byteSize();
            probe.set(ValueLayout.JAVA_BYTE, base, (byte) op);
            probe.set(ValueLayout.JAVA_SHORT, base + 2, (short) IoUring.IO_URING_OP_SUPPORTED);
            last = Math.max(last, op);
        }
        probe.set(ValueLayout.JAVA_BYTE, 0, (byte) last);
        probe.set(ValueLayout.JAVA_BYTE, 1, (byte) nrOps);
        return 0;
    }

    @Override
    public void close(int fd) {
        calls.add("close(" + fd + ")");
    }

    @Override
    public String disabledSysctl() {
        return sysctl;
    }
}
