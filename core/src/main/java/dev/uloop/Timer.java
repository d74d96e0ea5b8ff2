package dev.uloop;

/**
 * A scheduled callback: one-shot or periodic. Returned by {@link EventLoop#schedule},
 * {@link EventLoop#every} and friends.
 */
public interface Timer {
    /**
     * Cancels the timer. A cancelled timer never runs again; cancelling twice, or after a
     * one-shot timer ran, does nothing. Safe from any thread.
     */
    void cancel();

    /**
     * Whether {@link #cancel()} was called.
     *
     * @return true once cancelled
     */
    boolean isCancelled();

    /**
     * Whether the timer repeats.
     *
     * @return true for fixed-rate and fixed-delay timers
     */
    boolean isPeriodic();
}
