package dev.uloop.net;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.Backend;
import org.junit.jupiter.api.BeforeAll;

/** The network layer on the io_uring backend; skipped, with the reason, where the kernel refuses io_uring. */
class IoUringNetTest extends NetContract {
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
