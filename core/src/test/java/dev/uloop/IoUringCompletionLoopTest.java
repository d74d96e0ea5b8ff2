package dev.uloop;

/**
 * The event loop contract on the io_uring-completion backend, whose loop waits for readiness
 * exactly as io_uring's does (skipped, with the reason, where the kernel lacks it).
 */
class IoUringCompletionLoopTest extends EventLoopContract {
    @Override
    protected Backend backend() {
        return Backend.IO_URING_COMPLETION;
    }
}
