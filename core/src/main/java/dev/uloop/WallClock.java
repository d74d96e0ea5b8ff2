package dev.uloop;

import dev.uloop.internal.posix.Time;

/**
 * The system's wall clock ({@code CLOCK_REALTIME}) in nanoseconds since the Unix epoch,
 * read without allocating: what time-of-day protocols put on the wire. Unlike
 * {@link System#nanoTime()} it can jump when the clock is set; unlike
 * {@link java.time.Instant#now()} it creates no object.
 *
 * {@snippet class="dev.uloop.snippets.LoopSnippets" region="wallClock"}
 */
public final class WallClock {
    private WallClock() {}

    /**
     * Reads the wall clock.
     *
     * @return nanoseconds since 1970-01-01T00:00:00Z (leap seconds not counted, as POSIX has it)
     */
    public static long nanos() {
        if (Time.available()) {
            long t = Time.nanos(Time.CLOCK_REALTIME);
            if (t != Long.MIN_VALUE) {
                return t;
            }
        }
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /**
     * The resolution the system reports for the wall clock ({@code clock_getres}); the
     * smallest step between readings can be larger.
     *
     * @return nanoseconds, at least 1
     */
    public static long resolutionNanos() {
        long r = Time.resolution(Time.CLOCK_REALTIME);
        return r > 0 ? r : 1000;
    }
}
