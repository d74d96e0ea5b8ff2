package dev.uloop;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;

/** The event loop contract on the io_uring backend; skipped, with the reason, where the kernel refuses io_uring. */
class IoUringLoopTest extends EventLoopContract {
    @BeforeAll
    static void requireIoUring() {
        assumeTrue(Backend.IO_URING.isAvailable(),
                () -> "io_uring is not available here: " + Backend.IO_URING.unavailableReason().orElse(""));
    }

    @Override
    protected Backend backend() {
        return Backend.IO_URING;
    }
}
