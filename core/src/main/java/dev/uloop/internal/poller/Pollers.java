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
            case IO_URING_COMPLETION -> new IoUringPoller(IoUringPoller.COMPLETION_SQ_ENTRIES, IoUringPoller.COMPLETION_CQ_ENTRIES, true);
            case POLL -> new PollPoller();
            case SELECT -> new SelectPoller();
        };
    }

    /**
     * The completion-based socket I/O of a loop's poller.
     *
     * @return it, or null when the poller waits for readiness only
     */
    public static IoUringCompletions completions(Poller poller) {
        return poller instanceof IoUringPoller p ? p.completions() : null;
    }

    /** A select poller that refuses fds at or above {@code fdLimit}, as strict kernels do (for tests). */
    public static Poller openSelect(int fdLimit) {
        return new SelectPoller(fdLimit);
    }
}
