package dev.uloop;

import java.time.Duration;

/** The event loop contract on the io_uring-completion backend, spinning {@link SpinTest#CONTRACT_SPIN} before each wait. */
class IoUringCompletionSpinLoopTest extends EventLoopContract {
    @Override
    protected Backend backend() {
        return Backend.IO_URING_COMPLETION;
    }

    @Override
    protected Duration spin() {
        return SpinTest.CONTRACT_SPIN;
    }
}
