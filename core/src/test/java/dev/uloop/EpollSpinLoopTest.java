package dev.uloop;

import java.time.Duration;

/** The event loop contract on the epoll backend, spinning {@link SpinTest#CONTRACT_SPIN} before each wait. */
class EpollSpinLoopTest extends EventLoopContract {
    @Override
    protected Backend backend() {
        return Backend.EPOLL;
    }

    @Override
    protected Duration spin() {
        return SpinTest.CONTRACT_SPIN;
    }
}
