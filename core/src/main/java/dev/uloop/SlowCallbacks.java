package dev.uloop;

import dev.uloop.daemon.LogThrottle;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * Finds callbacks that hold the loop too long, as asyncio's debug mode does: when a
 * threshold is set, the loop times each handler, timer and task, and one that ran longer
 * logs a WARNING (throttled per callback class) and commits a {@link SlowCallbackEvent}.
 * Without a threshold, callbacks are timed only while a JFR recording wants the event, then
 * against {@link #JFR_DEFAULT}. The threshold is read once per iteration.
 */
final class SlowCallbacks {
    /** The threshold of the JFR event when the loop has none of its own. */
    static final Duration JFR_DEFAULT = Duration.ofMillis(100);
    private static final long JFR_DEFAULT_NANOS = JFR_DEFAULT.toNanos();
    private static final System.Logger LOG = System.getLogger("uloop.EventLoop");

    private final LogThrottle warnings = new LogThrottle(LOG);
    private final String backend;
    private final LoopCounters counters;
    private volatile long thresholdNanos;       // 0: off
    private long current;                        // this iteration's: the loop thread's copy
    private boolean warn;

    SlowCallbacks(String backend, LoopCounters counters) {
        this.backend = backend;
        this.counters = counters;
    }

    /** Sets the threshold (any thread); zero switches the warnings off. */
    void threshold(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative slow-callback threshold " + d);
        }
        thresholdNanos = d.isZero() ? 0 : Math.max(1, d.toNanos());
    }

    /** The threshold set, zero for none. */
    Duration threshold() {
        return Duration.ofNanos(thresholdNanos);
    }

    /**
     * Starts an iteration (loop thread).
     *
     * @return whether to time the callbacks of this iteration
     */
    boolean begin() {
        long t = thresholdNanos;
        warn = t > 0;
        current = warn ? t : LoopEvents.jfr && SlowCallbackEvent.PROBE.isEnabled() ? JFR_DEFAULT_NANOS : 0;
        return current > 0;
    }

    /**
     * A callback ran from {@code start} to {@code end} (loop thread; only when {@link #begin} said to time).
     *
     * @param kind     handler, timer or task
     * @param callback the handler or the task
     * @param fd       the handler's descriptor, -1 for timers and tasks
     */
    void ran(String kind, Object callback, int fd, long start, long end) {
        long held = end - start;
        if (held >= current) {
            report(kind, callback, fd, held);
        }
    }

    private void report(String kind, Object callback, int fd, long held) {
        String name = callback.getClass().getName();
        if (warn) {
            counters.slowCallback();
            warnings.log(Level.WARNING, kind + " " + name, "slow " + kind + " " + name
                    + (fd >= 0 ? " for fd " + fd : "") + " held the " + backend + " loop ("
                    + Thread.currentThread().getName() + ") for " + millis(held) + " ms (threshold "
                    + millis(current) + " ms)");
        }
        if (LoopEvents.jfr) {
            commit(kind, name, fd, held);
        }
    }

    /** Commits the JFR event, if a recording wants it; the event class is only loaded once JFR runs. */
    private void commit(String kind, String name, int fd, long held) {
        SlowCallbackEvent e = new SlowCallbackEvent();
        if (e.shouldCommit()) {
            e.kind = kind;
            e.callback = name;
            e.fd = fd;
            e.backend = backend;
            e.held = held;
            e.threshold = current;
            e.commit();
        }
    }

    private static String millis(long nanos) {
        return nanos >= 10_000_000 ? Long.toString(nanos / 1_000_000) : String.format("%.1f", nanos / 1e6);
    }
}
