package dev.uloop.internal.timer;

import dev.uloop.Timer;
import dev.uloop.internal.util.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * One timer in a {@link TimerQueue}: deadline, sequence (for first-in first-out order at
 * equal deadlines), period and its position in the heap (for O(log n) cancel).
 */
public final class ScheduledTimer implements Timer {
    /** How a periodic timer picks its next deadline. */
    public enum Mode {
        /** Runs once. */
        ONCE,
        /** Next deadline = previous deadline + period, skipping ticks already missed. */
        FIXED_RATE,
        /** Next deadline = end of this run + period. */
        FIXED_DELAY
    }

    final Runnable task;
    final Mode mode;
    final long periodNanos;
    long deadline;          // System.nanoTime() scale
    long seq;               // assigned when queued
    int heapIndex = -1;     // -1 when not queued
    private volatile boolean cancelled;
    private final java.util.function.Consumer<ScheduledTimer> canceller;

    /**
     * @param task       what to run
     * @param mode       one-shot or how to repeat
     * @param deadline   first run, on the {@code System.nanoTime()} scale
     * @param periodNanos period (ignored for ONCE)
     * @param canceller  called once by {@link #cancel()} to take the timer out of its queue
     */
    public ScheduledTimer(Runnable task, Mode mode, long deadline, long periodNanos,
                          java.util.function.Consumer<ScheduledTimer> canceller) {
        this.task = task;
        this.mode = mode;
        this.deadline = deadline;
        this.periodNanos = periodNanos;
        this.canceller = canceller;
    }

    /**
     * A timer whose first deadline is {@code delay} after {@code now}, with its arguments
     * checked as the loop's scheduling methods promise.
     *
     * @param now       {@code System.nanoTime()}
     * @param mode      once, fixed rate or fixed delay
     * @param delay     until the first run (zero or more)
     * @param period    between runs (positive; ignored for {@link Mode#ONCE})
     * @param task      what to run
     * @param canceller told when the timer is cancelled
     * @throws IllegalArgumentException for a negative delay or a period that is not positive
     */
    public static ScheduledTimer starting(long now, Mode mode, Duration delay, Duration period, Runnable task,
                                          java.util.function.Consumer<ScheduledTimer> canceller) {
        Objects.requireNonNull(task, "task");
        if (mode != Mode.ONCE && (period.isNegative() || period.isZero())) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("negative delay: " + delay);
        }
        return new ScheduledTimer(task, mode, now + Durations.saturatedNanos(delay), Durations.saturatedNanos(period),
                canceller);
    }

    /** The next deadline on the {@code System.nanoTime()} scale. */
    public long deadline() {
        return deadline;
    }

    /** What this timer runs. */
    public Runnable task() {
        return task;
    }

    /**
     * Computes the deadline after a run that ended at {@code now}.
     *
     * @return false for a one-shot timer (it does not run again)
     */
    public boolean advance(long now) {
        switch (mode) {
            case ONCE:
                return false;
            case FIXED_DELAY:
                deadline = now + periodNanos;
                return true;
            default:
                long next = deadline + periodNanos;
                if (next - now <= 0) {
                    // Late: skip the ticks already missed instead of running them in a burst.
                    long missed = (now - deadline) / periodNanos;
                    next = deadline + (missed + 1) * periodNanos;
                }
                deadline = next;
                return true;
        }
    }

    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            canceller.accept(this);
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    @Override
    public boolean isPeriodic() {
        return mode != Mode.ONCE;
    }

    @Override
    public String toString() {
        return "Timer[" + mode + (cancelled ? ", cancelled" : "") + "]";
    }
}
