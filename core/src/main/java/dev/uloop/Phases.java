package dev.uloop;

import dev.uloop.internal.poller.CompletionPhase;
import dev.uloop.internal.poller.Poller;
import dev.uloop.internal.poller.ReadySet;
import dev.uloop.internal.timer.ScheduledTimer;
import dev.uloop.internal.timer.TimerQueue;
import dev.uloop.internal.util.Failures;
import dev.uloop.daemon.LogThrottle;
import java.lang.System.Logger.Level;

/**
 * One iteration of a loop, as a few named phases in a fixed order (libuv's {@code uv_run}):
 * wait in the kernel, dispatch the ready descriptors, hand out completions, run the due
 * timers, run the queued tasks. The same phases on every backend; {@link EventLoop}
 * documents what each guarantees. Counters are written by the loop thread only and read
 * from any thread.
 */
final class Phases {
    private static final System.Logger LOG = System.getLogger("uloop.EventLoop");
    /** Callbacks that throw again and again log once per interval. */
    private final LogThrottle failures = new LogThrottle(LOG);

    private final Poller poller;
    private final CompletionPhase completions;
    private final FdHandlers handlers;
    private final TimerQueue timers;
    private final TaskQueue tasks;
    private final ReadySet ready = new ReadySet();
    private long batch;                  // incremented after each kernel wait

    volatile long iterations;
    volatile long eventsDispatched;
    volatile long waitNanos;
    volatile long busyNanos;
    volatile long tasksRun;

    Phases(Poller poller, CompletionPhase completions, FdHandlers handlers, TimerQueue timers, TaskQueue tasks) {
        this.poller = poller;
        this.completions = completions;
        this.handlers = handlers;
        this.timers = timers;
        this.tasks = tasks;
    }

    /** The number of the current dispatch batch (kernel wait). */
    long batch() {
        return batch;
    }

    /**
     * Runs one iteration.
     *
     * @param noWait poll the kernel without waiting (a stop was asked for)
     */
    void runOnce(boolean noWait) {
        long timeout = tasks.pending() > 0 || noWait ? 0 : timeoutMillis();
        long t0 = System.nanoTime();
        int n = poller.poll(timeout, ready);
        long t1 = System.nanoTime();
        batch++;
        dispatch(n);
        int done = completions.run();
        if (done > 0) {
            eventsDispatched += done;
        }
        runTimers(t1);
        runTasks();
        long t2 = System.nanoTime();
        waitNanos += t1 - t0;
        busyNanos += t2 - t1;
        iterations++;
    }

    /** Milliseconds until the earliest timer, rounded up; -1 (forever) without timers. */
    private long timeoutMillis() {
        ScheduledTimer first = timers.peek();
        if (first == null) {
            return -1;
        }
        long left = first.deadline() - System.nanoTime();
        return left <= 0 ? 0 : (left + 999_999) / 1_000_000;
    }

    private void dispatch(int n) {
        boolean debug = LOG.isLoggable(Level.DEBUG);
        int calls = 0;
        for (int i = 0; i < n; i++) {
            int fd = ready.fd(i);
            int raw = ready.events(i);
            if (fd == tasks.wakeFd()) {
                tasks.woken();
                continue;
            }
            Handler h = handlers.handlerFor(fd, batch);
            if (h == null) {
                continue;   // removed, or added again, earlier in this batch
            }
            int ev = Events.deliverable(raw, handlers.interest(fd));
            if (ev == 0) {
                continue;
            }
            if (debug) {
                LOG.log(Level.DEBUG, "event fd={0} {1} (raw {2})", fd, Events.toString(ev), Events.toString(raw));
            }
            calls++;
            try {
                h.onEvents(fd, ev);
            } catch (Throwable t) {
                Failures.callbackFailed(failures, "handler for fd " + fd, t);
            }
        }
        if (calls > 0) {
            eventsDispatched += calls;
        }
    }

    private void runTimers(long now) {
        long limit = timers.nextSequence();   // timers (re)queued during this pass wait for the next
        ScheduledTimer t;
        while ((t = timers.peek()) != null && t.deadline() - now <= 0 && TimerQueue.sequence(t) < limit) {
            timers.poll();
            if (t.isCancelled()) {
                continue;
            }
            try {
                t.task().run();
            } catch (Throwable e) {
                Failures.callbackFailed(failures, "timer " + t.task(), e);
            }
            if (!t.isCancelled() && t.advance(System.nanoTime())) {
                timers.add(t);
            }
        }
    }

    private void runTasks() {
        Runnable r;
        long ran = 0;
        while ((r = tasks.poll()) != null) {
            ran++;
            try {
                r.run();
            } catch (Throwable e) {
                Failures.callbackFailed(failures, "task " + r, e);
            }
        }
        if (ran > 0) {
            tasksRun += ran;
        }
    }
}
