package dev.uloop.net;

import dev.uloop.Backend;

/** The network layer on the epoll backend. */
class EpollNetTest extends NetContract {
    @Override
    protected Backend backend() {
        return Backend.EPOLL;
    }
}
