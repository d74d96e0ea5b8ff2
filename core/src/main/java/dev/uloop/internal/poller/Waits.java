package dev.uloop.internal.poller;

import dev.uloop.internal.posix.Errno;

/**
 * The kernel wait that every poller makes: a timeout in milliseconds (negative: forever),
 * and a wait interrupted by a signal (EINTR) resumed for the time that is left, so that a
 * signal neither ends a wait early nor makes it longer.
 */
public final class Waits {
    private Waits() {}

    /** One wait of a poller; the poller itself implements it, so nothing is allocated per wait. */
    @FunctionalInterface
    public interface Once {
        /**
         * Waits once.
         *
         * @param timeoutMs milliseconds, or -1 to wait forever
         * @return what the kernel returned: a count, or {@code -errno}; {@code -EINTR} to be
         *         called again with the time left
         */
        int waitOnce(int timeoutMs);
    }

    /**
     * Waits, resuming after EINTR for the time left.
     *
     * @param once      the wait
     * @param timeoutMs milliseconds; 0 returns at once, negative waits forever
     * @return the first result that is not {@code -EINTR}
     */
    public static int retrying(Once once, long timeoutMs) {
        int timeout = clampTimeout(timeoutMs);
        long deadline = deadline(timeout);
        int n;
        while ((n = once.waitOnce(timeout)) == -Errno.EINTR) {
            if (timeout > 0) {
                timeout = remainingMillis(deadline);
            }
        }
        return n;
    }

    /** Clamps a timeout to the int range the kernel takes; negative means infinite (-1). */
    public static int clampTimeout(long timeoutMs) {
        return timeoutMs < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, timeoutMs);
    }

    /** When a wait of {@code timeoutMs} (clamped) ends, in {@link System#nanoTime()}; 0 for no timeout. */
    public static long deadline(int timeoutMs) {
        return timeoutMs > 0 ? System.nanoTime() + timeoutMs * 1_000_000L : 0;
    }

    /** Milliseconds left until {@code deadlineNanos}, rounded up. */
    public static int remainingMillis(long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
    }
}
