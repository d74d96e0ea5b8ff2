package dev.uloop;

/**
 * A timer: a callback run once ({@link EventLoop#after}) or again and again
 * ({@link EventLoop#every}, {@link EventLoop#repeatAfter}) on a loop's thread.
 *
 * {@snippet class="dev.uloop.snippets.LoopSnippets" region="timer"}
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
