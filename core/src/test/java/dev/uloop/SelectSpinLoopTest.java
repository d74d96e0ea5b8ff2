package dev.uloop;

import java.time.Duration;

/** The event loop contract on the select backend, spinning {@link SpinTest#CONTRACT_SPIN} before each wait. */
class SelectSpinLoopTest extends EventLoopContract {
    @Override
    protected Backend backend() {
        return Backend.SELECT;
    }

    @Override
    protected Duration spin() {
        return SpinTest.CONTRACT_SPIN;
    }
}
