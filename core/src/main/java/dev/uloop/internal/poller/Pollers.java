package dev.uloop.internal.poller;

import dev.uloop.Backend;

/** Opens the poller for a backend: the one place that knows the implementation classes. */
public final class Pollers {
    private Pollers() {}

    /**
     * Opens a poller.
     *
     * @param backend an available backend
     * @return a new poller, owned by the caller
     */
    public static Poller open(Backend backend) {
        backend.requireAvailable();
        return switch (backend) {
            case EPOLL -> new EpollPoller();
            case IO_URING -> new IoUringPoller();
            case POLL -> new PollPoller();
            case SELECT -> new SelectPoller();
        };
    }

    /** A select poller that refuses fds at or above {@code fdLimit}, as strict kernels do (for tests). */
    public static Poller openSelect(int fdLimit) {
        return new SelectPoller(fdLimit);
    }
}
