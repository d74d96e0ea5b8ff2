package dev.uloop;

/** The event loop contract on the io_uring backend (skipped, with the reason, where the kernel refuses io_uring). */
class IoUringLoopTest extends EventLoopContract {
    @Override
    protected Backend backend() {
        return Backend.IO_URING;
    }
}
