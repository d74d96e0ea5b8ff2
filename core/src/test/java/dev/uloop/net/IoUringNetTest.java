package dev.uloop.net;

import dev.uloop.Backend;

/** The network layer on the io_uring backend (skipped, with the reason, where the kernel refuses io_uring). */
class IoUringNetTest extends NetContract {
    @Override
    protected Backend backend() {
        return Backend.IO_URING;
    }
}
