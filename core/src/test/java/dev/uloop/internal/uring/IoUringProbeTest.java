package dev.uloop.internal.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.IoUring;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The io_uring probe against simulated kernels: every refusal must come back with its reason. */
class IoUringProbeTest {
    private static final int ALL = IoUringProbe.REQUIRED_FEATURES | IoUring.IORING_FEAT_SINGLE_MMAP;
    private static final int[] OPS = {IoUring.IORING_OP_NOP, IoUring.IORING_OP_POLL_ADD, IoUring.IORING_OP_POLL_REMOVE};

    @Test
    void aKernelWithEverythingIsAvailableAndTheProbeRingIsClosed() {
        FakeIoUringKernel k = new FakeIoUringKernel(42, ALL, "0", OPS);
        IoUringProbe.Support s = IoUringProbe.probe(k);
        assertTrue(s.available());
        assertNull(s.reason());
        assertEquals(ALL, s.features());
        assertEquals(List.of("setup(2)", "probe(42)", "close(42)"), k.calls);
    }

    @Test
    void enosysMeansNoIoUringInThisKernel() {
        IoUringProbe.Support s = IoUringProbe.probe(new FakeIoUringKernel(-Errno.ENOSYS, 0, null));
        assertFalse(s.available());
        assertTrue(s.reason().startsWith("io_uring_setup: ENOSYS (Function not implemented): the kernel has no io_uring"),
                s.reason());
    }

    @Test
    void epermNamesSeccompOrTheGroupSysctl() {
        IoUringProbe.Support seccomp = IoUringProbe.probe(new FakeIoUringKernel(-Errno.EPERM, 0, "0"));
        assertFalse(seccomp.available());
        assertTrue(seccomp.reason().startsWith("io_uring_setup: EPERM (Operation not permitted): refused by a seccomp"),
                seccomp.reason());
        IoUringProbe.Support group = IoUringProbe.probe(new FakeIoUringKernel(-Errno.EPERM, 0, "1"));
        assertTrue(group.reason().contains("kernel.io_uring_disabled=1") && group.reason().contains("io_uring_group"),
                group.reason());
    }

    @Test
    void theDisablingSysctlIsHonouredWithoutCallingSetup() {
        FakeIoUringKernel k = new FakeIoUringKernel(42, ALL, "2", OPS);
        IoUringProbe.Support s = IoUringProbe.probe(k);
        assertFalse(s.available());
        assertEquals("disabled by sysctl: kernel.io_uring_disabled=2", s.reason());
        assertEquals(List.of(), k.calls);
    }

    @Test
    void einvalAndOtherErrorsKeepTheErrno() {
        assertTrue(IoUringProbe.probe(new FakeIoUringKernel(-Errno.EINVAL, 0, null)).reason()
                .startsWith("io_uring_setup: EINVAL (Invalid argument): "));
        assertEquals("io_uring_setup: EMFILE (Too many open files)",
                IoUringProbe.probe(new FakeIoUringKernel(-Errno.EMFILE, 0, null)).reason());
    }

    @Test
    void aKernelTooOldForTimedWaitsIsRefusedAndItsRingClosed() {
        FakeIoUringKernel k = new FakeIoUringKernel(7, IoUring.IORING_FEAT_NODROP | IoUring.IORING_FEAT_SINGLE_MMAP, null, OPS);
        IoUringProbe.Support s = IoUringProbe.probe(k);
        assertFalse(s.available());
        assertTrue(s.reason().contains("IORING_FEAT_EXT_ARG") && s.reason().contains("5.11"), s.reason());
        assertEquals(List.of("setup(2)", "close(7)"), k.calls);
    }

    @Test
    void aMissingPollOpcodeIsNamed() {
        FakeIoUringKernel k = new FakeIoUringKernel(7, ALL, null, IoUring.IORING_OP_NOP, IoUring.IORING_OP_POLL_ADD);
        IoUringProbe.Support s = IoUringProbe.probe(k);
        assertFalse(s.available());
        assertTrue(s.reason().contains("POLL_REMOVE"), s.reason());
        assertEquals(List.of("setup(2)", "probe(7)", "close(7)"), k.calls);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void theRealProbeAgreesWithTheCachedResult() {
        IoUringProbe.Support now = IoUringProbe.probe(IoUringProbe.KERNEL);
        assertEquals(IoUringProbe.support().available(), now.available(), String.valueOf(now.reason()));
        assertEquals(IoUringProbe.support().reason(), now.reason());
    }
}
