package dev.uloop.net;

import dev.uloop.Backend;

/** The network layer on the poll backend. */
class PollNetTest extends NetContract {
    @Override
    protected Backend backend() {
        return Backend.POLL;
    }
}
