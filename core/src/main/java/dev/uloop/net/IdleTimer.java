package dev.uloop.net;

import dev.uloop.EventLoop;
import dev.uloop.Timer;
import dev.uloop.internal.util.Durations;
import java.time.Duration;

/**
 * A connection's idle timeout on the loop's timer heap, re-armed lazily (libev's "be smart
 * about timeouts", second way): each read and write only stores the time
 * ({@link #touch()}: no allocation, no heap operation); the one timer per connection fires
 * at the last deadline, and then either closes the connection, idle for the whole timeout,
 * or is queued again for the last activity plus the timeout. A busy connection so costs one
 * timer run per timeout, an idle one a single heap entry.
 */
final class IdleTimer implements Runnable {
    private final EventLoop loop;
    private final TcpConnection connection;
    private final long timeoutNanos;
    private long lastActive;           // System.nanoTime() of the last byte received or sent
    private Timer timer;

    private IdleTimer(EventLoop loop, TcpConnection connection, Duration timeout) {
        this.loop = loop;
        this.connection = connection;
        this.timeoutNanos = Durations.saturatedNanos(timeout);
        this.lastActive = System.nanoTime();
        this.timer = loop.after(timeout, this);
    }

    /** Starts timing {@code connection}, idle from now; on the loop thread. */
    static IdleTimer start(EventLoop loop, TcpConnection connection, Duration timeout) {
        return new IdleTimer(loop, connection, timeout);
    }

    /**
     * Checks a timeout as the options take it.
     *
     * @return the timeout, or null for none
     * @throws IllegalArgumentException for zero or a negative timeout
     */
    static Duration check(Duration timeout) {
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            throw new IllegalArgumentException("the idle timeout must be positive (null for none), not " + timeout);
        }
        return timeout;
    }

    /** The connection received or sent something. */
    void touch() {
        lastActive = System.nanoTime();
    }

    /** The timeout. */
    Duration timeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    /** Stops timing (the connection closed, or its timeout changed). */
    void cancel() {
        timer.cancel();
    }

    @Override
    public void run() {
        if (connection.isClosed()) {
            return;
        }
        long left = lastActive + timeoutNanos - System.nanoTime();
        if (left <= 0) {
            connection.idleTimedOut();
        } else {
            timer = loop.after(Duration.ofNanos(left), this);
        }
    }
}
