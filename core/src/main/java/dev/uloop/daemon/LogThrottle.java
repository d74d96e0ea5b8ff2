package dev.uloop.daemon;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Logs a repeated warning once per interval instead of once per occurrence, so that a
 * condition that recurs many times a second (a process out of descriptors, a handler that
 * throws on every event of a level-triggered descriptor, a flood of bad datagrams) leaves a
 * readable log: the first occurrence is logged at once, the next ones within the interval
 * are only counted, and the first one after the interval is logged with that count, e.g.
 * {@code "accept on 127.0.0.1:7007: EMFILE; pausing accepts for 100 ms (78 more like it in
 * the last 10 s)"}. A stack trace goes with each line that is logged, so there is one per
 * distinct failure per interval.
 *
 * <p>What counts as "the same" is the caller's key: a message template, an errno, or
 * {@link #failureKey(Throwable)} for an exception thrown from the same place. At most
 * {@value #MAX_KEYS} keys are remembered (the least recently seen is forgotten first), so
 * the memory is bounded whatever an attacker varies. Counts that no later occurrence
 * reports are lost, as with syslog's "last message repeated" lines. Thread-safe; the
 * cost is only paid on the paths that log.
 */
public final class LogThrottle {
    /** The interval of the library's throttles. */
    public static final Duration INTERVAL = Duration.ofSeconds(10);
    /** How many distinct keys a throttle remembers. */
    public static final int MAX_KEYS = 64;

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Map<Object, Window> windows = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Window> eldest) {
            return size() > MAX_KEYS;
        }
    };

    /** Since when a key was last logged, and how often it came since. */
    private static final class Window {
        long start;
        long suppressed;

        Window(long start) {
            this.start = start;
        }
    }

    /**
     * A throttle with the library's interval and the system's monotonic clock.
     *
     * @param log where to log
     */
    public LogThrottle(Logger log) {
        this(log, INTERVAL, System::nanoTime);
    }

    /**
     * A throttle with another interval or clock (for tests).
     *
     * @param log       where to log
     * @param interval  at most one line per key in this long
     * @param nanoClock a monotonic clock in nanoseconds
     */
    public LogThrottle(Logger log, Duration interval, LongSupplier nanoClock) {
        this.log = Objects.requireNonNull(log, "log");
        this.intervalNanos = interval.toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("interval " + interval + " is not positive");
        }
    }

    /**
     * Logs {@code message} unless {@code key} was logged less than an interval ago.
     *
     * @param level   the level
     * @param key     what makes two occurrences the same
     * @param message the message
     * @param thrown  a throwable to log with it, or null
     * @return whether a line was logged
     */
    public boolean log(Level level, Object key, String message, Throwable thrown) {
        if (!log.isLoggable(level)) {
            return false;
        }
        long now = nanoClock.getAsLong();
        long more;
        long since;
        synchronized (windows) {
            Window w = windows.get(key);
            if (w == null) {
                windows.put(key, new Window(now));
                more = 0;
                since = 0;
            } else if (now - w.start < intervalNanos) {
                w.suppressed++;
                return false;
            } else {
                more = w.suppressed;
                since = now - w.start;
                w.start = now;
                w.suppressed = 0;
            }
        }
        String line = more == 0 ? message
                : message + " (" + more + " more like it in the last " + seconds(since) + " s)";
        if (thrown != null) {
            log.log(level, line, thrown);
        } else {
            log.log(level, line);
        }
        return true;
    }

    /**
     * Logs {@code message} unless {@code key} was logged less than an interval ago.
     *
     * @param level   the level
     * @param key     what makes two occurrences the same
     * @param message the message
     * @return whether a line was logged
     */
    public boolean log(Level level, Object key, String message) {
        return log(level, key, message, null);
    }

    /**
     * A key under which exceptions of one class thrown from one place count as the same
     * failure, whatever their message (which often holds a descriptor or an address).
     *
     * @param t a throwable
     * @return its class and the frame it was thrown from
     */
    public static Object failureKey(Throwable t) {
        StackTraceElement[] trace = t.getStackTrace();
        return trace.length == 0 ? t.getClass() : t.getClass().getName() + " at " + trace[0];
    }

    private static long seconds(long nanos) {
        return Math.max(1, Math.round(nanos / 1e9));
    }
}
