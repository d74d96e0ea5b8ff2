package dev.uloop;

/** The event loop contract on the poll backend. */
class PollLoopTest extends EventLoopContract {
    @Override
    protected Backend backend() {
        return Backend.POLL;
    }
}
