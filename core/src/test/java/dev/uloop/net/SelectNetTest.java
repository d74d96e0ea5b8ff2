package dev.uloop.net;

import dev.uloop.Backend;

/** The network layer on the select backend. */
class SelectNetTest extends NetContract {
    @Override
    protected Backend backend() {
        return Backend.SELECT;
    }
}
