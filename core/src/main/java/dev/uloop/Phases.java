package dev.uloop;

import dev.uloop.internal.poller.CompletionPhase;
import dev.uloop.internal.poller.Poller;
import dev.uloop.internal.poller.ReadySet;
import dev.uloop.internal.timer.ScheduledTimer;
import dev.uloop.internal.timer.TimerQueue;
import dev.uloop.internal.util.Failures;
import dev.uloop.internal.util.LagHistogram;
import dev.uloop.daemon.LogThrottle;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * One iteration of a loop, as a few named phases in a fixed order (libuv's {@code uv_run}):
 * wait in the kernel, dispatch the ready descriptors, hand out completions, run the due
 * timers, run the queued tasks. The same phases on every backend; {@link EventLoop}
 * documents what each guarantees. Counters ({@link LoopCounters}) and the lag histogram
 * are written by the loop thread only and read from any thread.
 *
 * <p>Lag: each timer records how long after its deadline it started, each task how long
 * after {@link EventLoop#execute} it started (a sample of the tasks: see {@link TaskQueue});
 * one clock read per phase, or per callback while slow callbacks are timed. Slow callbacks: see {@link SlowCallbacks}.
 *
 * <p>Spin ({@link EventLoop#spin}): an iteration that would wait in the kernel first polls
 * it without waiting, again and again, until something is ready, a completion or a task is
 * pending (a task or a {@link EventLoop#stop stop} from another thread also makes the
 * wakeup descriptor ready), the earliest timer is due, or the spin duration has passed since
 * the iteration began; only then does it wait, for the time left until the timer. Each poll
 * is the same allocation-free call as the wait, so spinning allocates nothing either.
 */
final class Phases {
    private static final System.Logger LOG = System.getLogger("uloop.EventLoop");
    /** Longer spins are cut to this (the clock arithmetic stays far from overflow): spinning for good. */
    private static final Duration MAX_SPIN = Duration.ofDays(365);
    /** Callbacks that throw again and again log once per interval. */
    private final LogThrottle failures = new LogThrottle(LOG);

    private final Poller poller;
    private final CompletionPhase completions;
    private final FdHandlers handlers;
    private final TimerQueue timers;
    private final TaskQueue tasks;
    private final ReadySet ready = new ReadySet();
    private long batch;                  // incremented after each kernel wait
    private boolean timing;              // time each callback in this iteration (slow-callback detection)
    private volatile long spinNanos;     // poll without waiting this long before a wait; 0: off

    final LoopCounters counters = new LoopCounters();
    final LagHistogram lag = new LagHistogram(System.nanoTime());
    final SlowCallbacks slow;

    Phases(Poller poller, CompletionPhase completions, FdHandlers handlers, TimerQueue timers, TaskQueue tasks,
           String backend) {
        this.poller = poller;
        this.completions = completions;
        this.handlers = handlers;
        this.timers = timers;
        this.tasks = tasks;
        this.slow = new SlowCallbacks(backend, counters);
    }

    /** A snapshot of the counters (any thread). */
    LoopStats stats(String backend) {
        LagHistogram.Summary l = lag.summary(System.nanoTime());
        return new LoopStats(backend, counters.iterations(), counters.eventsDispatched(), counters.waitNanos(),
                counters.busyNanos(), counters.spinPolls(), counters.spinNanos(), counters.tasksRun(), tasks.pending(),
                timers.size(), handlers.size(), counters.slowCallbacks(), l.count(), l.p50(), l.p99(), l.max());
    }

    /** Sets how long an iteration spins before it waits (any thread); zero switches spinning off. */
    void spin(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative spin " + d);
        }
        spinNanos = d.isZero() ? 0 : d.compareTo(MAX_SPIN) >= 0 ? MAX_SPIN.toNanos() : Math.max(1, d.toNanos());
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
        long spin = timeout != 0 ? spinNanos : 0;
        int n = spin > 0 ? spinThenWait(t0, spin) : poller.poll(timeout, ready);
        long t1 = System.nanoTime();
        batch++;
        timing = slow.begin();
        dispatch(n, t1);
        long c0 = timing ? System.nanoTime() : 0;
        int done = completions.run();
        if (done > 0) {
            counters.events(done);
            if (timing) {       // the completion phase as one callback: its protocol calls are not timed apart
                slow.ran("completion batch", completions, -1, c0, System.nanoTime());
            }
        }
        runTimers(t1);
        long t2 = runTasks(System.nanoTime());
        counters.iteration(t1 - t0, t2 - t1);
    }

    /**
     * Polls the kernel without waiting until something is ready or pending, the earliest
     * timer is due, or {@code spin} has passed since {@code start}; then, if nothing came,
     * waits as usual for the time left.
     *
     * @return the number of ready descriptors
     */
    private int spinThenWait(long start, long spin) {
        ScheduledTimer first = timers.peek();
        long end = first != null && first.deadline() - start < spin ? first.deadline() : start + spin;
        long now = start;
        int n;
        boolean found;
        do {
            n = poller.poll(0, ready);
            found = n > 0 || completions.pending() > 0 || tasks.pending() > 0;
            if (!found) {
                Thread.onSpinWait();
            }
            long t = System.nanoTime();
            counters.spun(t - now);          // per poll: a long spin shows in the stats while it lasts
            now = t;
        } while (!found && now - end < 0);
        if (found) {
            return n;
        }
        return poller.poll(tasks.pending() > 0 ? 0 : timeoutMillis(), ready);
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

    private void dispatch(int n, long start) {
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
            if (timing) {
                long end = System.nanoTime();
                slow.ran("handler", h, fd, start, end);
                start = end;
            }
        }
        if (calls > 0) {
            counters.events(calls);
        }
    }

    /** Runs the timers due at {@code dueBy} (when the kernel wait returned). */
    private void runTimers(long dueBy) {
        long limit = timers.nextSequence();   // timers (re)queued during this pass wait for the next
        ScheduledTimer t;
        long now = 0;                         // read when the first due timer starts
        while ((t = timers.peek()) != null && t.deadline() - dueBy <= 0 && TimerQueue.sequence(t) < limit) {
            timers.poll();
            if (t.isCancelled()) {
                continue;
            }
            if (now == 0) {
                now = System.nanoTime();
            }
            lag.record(now - t.deadline(), now);
            try {
                t.task().run();
            } catch (Throwable e) {
                Failures.callbackFailed(failures, "timer " + t.task(), e);
            }
            long end = System.nanoTime();
            if (timing) {
                slow.ran("timer", t.task(), -1, now, end);
            }
            now = end;
            if (!t.isCancelled() && t.advance(end)) {
                timers.add(t);
            }
        }
    }

    /** Runs the queued tasks from {@code now} on; returns the time they were done. */
    private long runTasks(long now) {
        Runnable r;
        long ran = 0;
        while ((r = tasks.poll()) != null) {
            ran++;
            long queued = tasks.lastQueuedAt();
            if (queued != TaskQueue.NOT_TIMED) {
                lag.record(now - queued, now);
            }
            try {
                r.run();
            } catch (Throwable e) {
                Failures.callbackFailed(failures, "task " + r, e);
            }
            if (timing) {
                long end = System.nanoTime();
                slow.ran("task", r, -1, now, end);
                now = end;
            }
        }
        if (ran > 0) {
            counters.tasks(ran);
            if (!timing) {
                now = System.nanoTime();
            }
        }
        return now;
    }
}
