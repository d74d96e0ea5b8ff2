package dev.uloop;

/** The event loop contract on the select backend. */
class SelectLoopTest extends EventLoopContract {
    @Override
    protected Backend backend() {
        return Backend.SELECT;
    }
}
