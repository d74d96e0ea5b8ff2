package dev.uloop.internal.net;

import dev.uloop.Handler;
import dev.uloop.Timer;
import java.time.Duration;

/**
 * What an I/O engine asks of the loop it serves: the loop's own fd-level calls, its timers
 * and its task queue. The loop hands its engines this view of itself when it opens (the
 * engines sit below the loop and do not know its class); every call but
 * {@link #execute} belongs on the loop's thread.
 */
public interface Reactor {
    /** Starts watching {@code fd} for {@code events}; see {@code EventLoop.add}. */
    void add(int fd, int events, Handler handler);

    /** Changes what {@code fd} is watched for. */
    void modify(int fd, int events);

    /** Stops watching {@code fd}; quiet when it is not watched or the loop is closed. */
    void remove(int fd);

    /** Runs {@code task} on the loop's thread, soon (from any thread). */
    void execute(Runnable task);

    /** Runs {@code task} once after {@code delay}. */
    Timer after(Duration delay, Runnable task);
}
