package dev.uloop.internal.util;

import java.time.Duration;

/** Durations as the nanosecond counts of {@link System#nanoTime()} arithmetic. */
public final class Durations {
    private Durations() {}

    /** The longest duration uloop counts with: about 73 years, far from overflowing when added to a nanoTime. */
    public static final long MAX_NANOS = Long.MAX_VALUE / 4;

    /**
     * {@code d} in nanoseconds, at most {@link #MAX_NANOS} (so {@code nanoTime() + it} cannot overflow).
     *
     * @param d a duration, not negative
     * @return its nanoseconds, saturated
     */
    public static long saturatedNanos(Duration d) {
        try {
            return Math.min(d.toNanos(), MAX_NANOS);
        } catch (ArithmeticException e) {
            return MAX_NANOS;
        }
    }
}
