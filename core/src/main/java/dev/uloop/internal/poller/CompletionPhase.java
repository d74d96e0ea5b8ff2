package dev.uloop.internal.poller;

/**
 * The loop's phase after the readiness handlers: where a backend that does socket I/O by
 * completion (io_uring-completion) hands finished operations to their connections. Every
 * other backend has {@link #NONE}, so the loop runs the same phases on every backend.
 */
@FunctionalInterface
public interface CompletionPhase {
    /**
     * Hands out the completions reaped by the last wait.
     *
     * @return how many were handed out
     */
    int run();

    /**
     * Completions reaped by the last wait and not handed out yet: a loop that spins stops
     * when there are any, as when descriptors are ready.
     *
     * @return how many wait for {@link #run()}
     */
    default int pending() {
        return 0;
    }

    /** The phase of the readiness backends: nothing to hand out. */
    CompletionPhase NONE = () -> 0;
}
