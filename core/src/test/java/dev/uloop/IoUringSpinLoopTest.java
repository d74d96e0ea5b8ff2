package dev.uloop;

import java.time.Duration;

/** The event loop contract on the io_uring backend, spinning {@link SpinTest#CONTRACT_SPIN} before each wait. */
class IoUringSpinLoopTest extends EventLoopContract {
    @Override
    protected Backend backend() {
        return Backend.IO_URING;
    }

    @Override
    protected Duration spin() {
        return SpinTest.CONTRACT_SPIN;
    }
}
