package dev.uloop;

import java.time.Duration;

/** The event loop contract on the poll backend, spinning {@link SpinTest#CONTRACT_SPIN} before each wait. */
class PollSpinLoopTest extends EventLoopContract {
    @Override
    protected Backend backend() {
        return Backend.POLL;
    }

    @Override
    protected Duration spin() {
        return SpinTest.CONTRACT_SPIN;
    }
}
