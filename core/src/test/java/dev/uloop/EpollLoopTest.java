package dev.uloop;

/** The event loop contract on the epoll backend. */
class EpollLoopTest extends EventLoopContract {
    @Override
    protected Backend backend() {
        return Backend.EPOLL;
    }
}
