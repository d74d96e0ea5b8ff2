package dev.uloop;

import dev.uloop.internal.backend.Backends;
import dev.uloop.internal.backend.LoopEngines;
import dev.uloop.internal.backend.LoopParts;
import dev.uloop.internal.net.Reactor;
import dev.uloop.internal.poller.CompletionPhase;
import dev.uloop.internal.poller.Poller;
import dev.uloop.internal.poller.ReadySet;
import dev.uloop.internal.poller.Waker;
import dev.uloop.internal.timer.ScheduledTimer;
import dev.uloop.internal.timer.TimerQueue;
import dev.uloop.internal.util.Failures;
import dev.uloop.internal.util.Grow;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One event loop over epoll, io_uring, poll or select: the seeds' {@code Uloop}.
 *
 * <pre>{@code
 * try (EventLoop loop = EventLoop.open()) {          // the best backend (see Backend), or -Duloop.backend=poll
 *     loop.add(fd, Events.IN, (f, ev) -> { ... });    // reactor-style handler
 *     loop.every(Duration.ofSeconds(1), () -> ...);    // periodic callback
 *     loop.run();                                      // until stop()
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * Everything happens on the thread that calls {@link #run()}. Until then the loop may be
 * set up from the thread that opened it. While it runs, {@link #add}, {@link #modify} and
 * {@link #remove} must be called from the loop thread (from handlers, timers or tasks);
 * {@link #execute}, {@link #stop}, {@link #stats}, the {@code schedule} methods and
 * {@link Timer#cancel()} are safe from any thread.
 *
 * <h2>One iteration</h2>
 * <ol>
 * <li>wait in the kernel, at most until the earliest timer (rounded up to whole
 *     milliseconds, so a timer never fires early), not at all when tasks are pending;</li>
 * <li>call the handlers of the ready descriptors, in the order the kernel reported them;
 *     a descriptor removed (or removed and added again) earlier in the same batch is
 *     skipped, and the bits are limited to its interest at that moment;</li>
 * <li>hand finished socket operations to their connections: the completion phase, where
 *     the backend has one ({@link Backend#IO_URING_COMPLETION}); on the others it does
 *     nothing, so the phases are the same on every backend;</li>
 * <li>run the timers that are due, in (deadline, scheduling order);</li>
 * <li>run the tasks queued by {@link #execute}.</li>
 * </ol>
 * Whatever a handler, timer or task throws is logged (logger {@code uloop.EventLoop}) and
 * the loop goes on.
 *
 * <p>The loop does not own the descriptors: {@link #remove} a descriptor before closing
 * it. A descriptor closed while registered stops being watched (see {@link Events}).
 *
 * <p>One loop uses one thread; {@link EventLoopGroup} runs several, one thread each.
 */
public final class EventLoop implements Executor, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("uloop.EventLoop");

    static {
        LoopEngines.install(loop -> ((EventLoop) loop).parts.sockets());
    }

    private final Backend backend;
    private final LoopParts parts;              // from the backend registry
    private final Poller poller;
    private final CompletionPhase completions;
    private final Waker waker;
    private final ReadySet ready = new ReadySet();
    private final TimerQueue timers = new TimerQueue();
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingTasks = new AtomicInteger();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();

    // fd-indexed registration table (Redis events[], libuv watchers).
    private Handler[] handlers = new Handler[64];
    private int[] interest = new int[64];
    private long[] addedInBatch = new long[64];  // batch number in which the fd was (re)added
    private int registered;                      // user registrations

    private long batch;                          // incremented after each kernel wait
    private volatile Thread thread;              // the thread in run(), or null
    private volatile boolean stopRequested;
    private volatile boolean closed;
    private boolean closeWhenStopped;

    // Counters: written by the loop thread only, read by stats() from any thread.
    private volatile long iterations;
    private volatile long eventsDispatched;
    private volatile long waitNanos;
    private volatile long busyNanos;
    private volatile long tasksRun;

    private EventLoop(Backend backend) {
        this.backend = backend.requireAvailable();
        this.parts = Backends.open(backend.id(), new LoopReactor());
        this.poller = parts.poller();
        this.completions = parts.completions();
        Waker w;
        try {
            w = Waker.open();
            poller.register(w.fd(), Events.IN);
        } catch (RuntimeException e) {
            poller.close();
            throw e;
        }
        this.waker = w;
        LOG.log(Level.DEBUG, "using the {0} backend", backend);
    }

    /**
     * Opens a loop on the backend named by the {@code uloop.backend} system property, or
     * on the best one the platform has ({@link Backend#best()}: epoll, then io_uring, then
     * poll, then select; io_uring-completion only by name).
     *
     * @return a new loop
     * @throws IllegalArgumentException if the property names no backend
     * @throws UnsupportedOperationException if the named backend is not available here
     */
    public static EventLoop open() {
        return new EventLoop(Backend.fromProperty());
    }

    /**
     * Opens a loop on a given backend.
     *
     * @param backend the kernel interface to wait on
     * @return a new loop
     * @throws UnsupportedOperationException if the backend is not available here
     */
    public static EventLoop open(Backend backend) {
        return new EventLoop(Objects.requireNonNull(backend, "backend"));
    }

    /**
     * The backend this loop waits on.
     *
     * @return the backend
     */
    public Backend backend() {
        return backend;
    }

    // ---------------------------------------------------------------- descriptors

    /**
     * Registers a descriptor: the seeds' {@code add(fileno, mode, handler)}.
     *
     * @param fd      an open descriptor, not registered yet
     * @param events  what to watch: {@link Events#IN}, {@link Events#OUT}, {@link Events#PRI},
     *                {@link Events#RDHUP}, or 0 to register without watching
     * @param handler called on the loop thread when the descriptor is ready
     * @throws IllegalStateException    if {@code fd} is already registered, if the loop is closed,
     *                                  or when called from another thread while the loop runs
     * @throws IllegalArgumentException for a negative fd or bits that cannot be asked for
     * @throws NativeException          if the kernel refuses (e.g. EBADF for a closed fd, whatever
     *                                  its number: the kernel is asked before any table grows)
     */
    public void add(int fd, int events, Handler handler) {
        checkLoopThread("add");
        checkOpen("add");
        checkEvents(events);
        Objects.requireNonNull(handler, "handler");
        if (fd < 0) {
            throw new IllegalArgumentException("negative fd " + fd);
        }
        if (fd < handlers.length && handlers[fd] != null) {
            throw new IllegalStateException("fd " + fd + " is already registered; remove() it first"
                    + " (was it closed without remove()?)");
        }
        poller.register(fd, events);
        ensureTable(fd);
        handlers[fd] = handler;
        interest[fd] = events;
        addedInBatch[fd] = batch + 1;   // events from the current batch predate this registration
        registered++;
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "add fd=" + fd + " " + Events.toString(events));
        }
    }

    /**
     * Changes what a registered descriptor is watched for: the seeds' {@code modify}.
     *
     * @param fd     a registered descriptor
     * @param events the new interest (see {@link #add})
     * @throws IllegalStateException if {@code fd} is not registered, or the loop is closed
     */
    public void modify(int fd, int events) {
        checkLoopThread("modify");
        checkNotClosed("modify");
        checkEvents(events);
        if (!isRegistered(fd)) {
            throw new IllegalStateException("fd " + fd + " is not registered");
        }
        if (interest[fd] != events) {
            poller.modify(fd, events);
            interest[fd] = events;
            if (LOG.isLoggable(Level.DEBUG)) {     // no lambda: modify is on the hot path
                LOG.log(Level.DEBUG, "modify fd=" + fd + " " + Events.toString(events));
            }
        }
    }

    /**
     * Unregisters a descriptor: the seeds' {@code remove}. Does nothing if it is not
     * registered. Its handler is not called again, not even for events already collected
     * in the current batch. Does not close the descriptor.
     *
     * @param fd a descriptor
     * @throws IllegalStateException if the loop is closed
     */
    public void remove(int fd) {
        checkLoopThread("remove");
        checkNotClosed("remove");
        if (!isRegistered(fd) || fd == waker.fd()) {
            return;
        }
        handlers[fd] = null;
        interest[fd] = 0;
        registered--;
        poller.unregister(fd);
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "remove fd=" + fd);
        }
    }

    /**
     * Whether a descriptor is registered.
     *
     * @param fd a descriptor
     * @return true between {@link #add} and {@link #remove}
     */
    public boolean isRegistered(int fd) {
        return fd >= 0 && fd < handlers.length && handlers[fd] != null;
    }

    /**
     * The interest of a registered descriptor.
     *
     * @param fd a registered descriptor
     * @return its event bits, or 0 if it is not registered
     */
    public int interest(int fd) {
        return isRegistered(fd) ? interest[fd] : 0;
    }

    private void ensureTable(int fd) {
        if (fd >= handlers.length) {
            int n = Grow.length(handlers.length, fd + 1);
            handlers = Arrays.copyOf(handlers, n);
            interest = Arrays.copyOf(interest, n);
            addedInBatch = Arrays.copyOf(addedInBatch, n);
        }
    }

    private static void checkEvents(int events) {
        if ((events & ~Events.INTEREST) != 0) {
            throw new IllegalArgumentException("cannot watch " + Events.toString(events & ~Events.INTEREST)
                    + "; a handler may ask for IN, PRI, OUT and RDHUP");
        }
    }

    // ---------------------------------------------------------------- timers

    /**
     * Runs {@code task} once after {@code delay}. Safe from any thread.
     *
     * @param delay how long to wait (zero or more)
     * @param task  what to run, on the loop thread
     * @return a handle to cancel it
     * @throws IllegalStateException if the loop is closed (as for every scheduling method)
     */
    public Timer schedule(Duration delay, Runnable task) {
        return addTimer(ScheduledTimer.Mode.ONCE, delay, Duration.ZERO, task);
    }

    /**
     * Runs {@code task} every {@code period}, first after one period: the seeds'
     * {@code add_periodic}. Fixed rate, as {@link #scheduleAtFixedRate}.
     *
     * @param period time between runs (positive)
     * @param task   what to run, on the loop thread
     * @return a handle to cancel it (the seeds' {@code remove_periodic})
     */
    public Timer every(Duration period, Runnable task) {
        return scheduleAtFixedRate(period, period, task);
    }

    /**
     * Runs {@code task} at a fixed rate: deadlines {@code initialDelay + k * period}.
     * When the loop falls behind (a slow handler), missed ticks are skipped, never run in
     * a burst. Safe from any thread.
     *
     * @param initialDelay delay of the first run
     * @param period       time between deadlines (positive)
     * @param task         what to run
     * @return a handle to cancel it
     */
    public Timer scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task) {
        return addTimer(ScheduledTimer.Mode.FIXED_RATE, initialDelay, requirePositive(period), task);
    }

    /**
     * Runs {@code task} with a fixed delay between the end of one run and the start of
     * the next. Safe from any thread.
     *
     * @param initialDelay delay of the first run
     * @param delay        pause after each run (positive)
     * @param task         what to run
     * @return a handle to cancel it
     */
    public Timer scheduleWithFixedDelay(Duration initialDelay, Duration delay, Runnable task) {
        return addTimer(ScheduledTimer.Mode.FIXED_DELAY, initialDelay, requirePositive(delay), task);
    }

    private static Duration requirePositive(Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + d);
        }
        return d;
    }

    private Timer addTimer(ScheduledTimer.Mode mode, Duration delay, Duration period, Runnable task) {
        Objects.requireNonNull(task, "task");
        checkNotClosed("schedule");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("negative delay: " + delay);
        }
        long deadline = System.nanoTime() + saturatedNanos(delay);
        ScheduledTimer t = new ScheduledTimer(task, mode, deadline, saturatedNanos(period),
                this::cancelTimer);
        runOnLoop(() -> {
            if (!t.isCancelled()) {
                timers.add(t);
            }
        });
        return t;
    }

    private void cancelTimer(ScheduledTimer t) {
        runOnLoop(() -> timers.remove(t));
    }

    private static long saturatedNanos(Duration d) {
        try {
            return Math.min(d.toNanos(), Long.MAX_VALUE / 4);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    // ---------------------------------------------------------------- tasks

    /**
     * Runs {@code task} on the loop thread, soon. Safe from any thread; wakes the loop if
     * it is blocked in the kernel (one eventfd write, none if a wakeup is already pending).
     *
     * @param task what to run
     * @throws RejectedExecutionException if the loop is closed
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (closed) {
            throw new RejectedExecutionException("event loop is closed");
        }
        tasks.add(task);
        pendingTasks.incrementAndGet();
        wakeup();
    }

    /**
     * Whether the current thread is the loop's thread.
     *
     * @return true inside handlers, timers and tasks
     */
    public boolean inEventLoop() {
        return thread == Thread.currentThread();
    }

    private void runOnLoop(Runnable r) {
        Thread t = thread;
        if (t == null || t == Thread.currentThread()) {
            r.run();
        } else {
            execute(r);
        }
    }

    private void wakeup() {
        if (!inEventLoop() && wakeupPending.compareAndSet(false, true)) {
            waker.wakeup();
        }
    }

    // ---------------------------------------------------------------- run / stop / close

    /**
     * Runs the loop on the calling thread until {@link #stop()}. The loop can be run again
     * afterwards.
     *
     * @throws IllegalStateException if it is closed or already running
     */
    public void run() {
        checkOpen("run");
        synchronized (this) {
            if (thread != null) {
                throw new IllegalStateException("event loop is already running on " + thread.getName());
            }
            thread = Thread.currentThread();
        }
        LOG.log(Level.DEBUG, "run on {0}", backend);
        try {
            do {
                runOnce();
            } while (!stopRequested);
        } finally {
            stopRequested = false;
            thread = null;
            if (closeWhenStopped) {
                closeResources();
            }
        }
    }

    private void runOnce() {
        long timeout = pendingTasks.get() > 0 || stopRequested ? 0 : timeoutMillis();
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
            if (fd == waker.fd()) {
                waker.drain();
                wakeupPending.set(false);
                continue;
            }
            Handler h = fd < handlers.length ? handlers[fd] : null;
            if (h == null || addedInBatch[fd] > batch) {
                continue;   // removed, or added again, earlier in this batch
            }
            int ev = Events.deliverable(raw, interest[fd]);
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
                Failures.callbackFailed(LOG, "handler for fd " + fd, t);
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
                Failures.callbackFailed(LOG, "timer " + t.task(), e);
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
            pendingTasks.decrementAndGet();
            ran++;
            try {
                r.run();
            } catch (Throwable e) {
                Failures.callbackFailed(LOG, "task " + r, e);
            }
        }
        if (ran > 0) {
            tasksRun += ran;
        }
    }

    /**
     * Makes {@link #run()} return after the current iteration. Safe from any thread. If
     * called before {@code run()}, the next {@code run()} polls once without waiting, runs
     * what is ready and due, and returns (as asyncio's {@code run_forever} does).
     */
    public void stop() {
        stopRequested = true;
        if (!closed) {
            wakeup();
        }
    }

    /**
     * Closes the loop: the poller, the wakeup descriptor and native memory. Registered
     * descriptors are not closed. Called while the loop runs, it stops it and closes once
     * {@code run()} returns. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed || closeWhenStopped) {
                return;
            }
            if (thread != null) {
                closeWhenStopped = true;
                stop();
                return;
            }
        }
        closeResources();
    }

    private synchronized void closeResources() {
        if (closed) {
            return;
        }
        closed = true;
        int dropped = pendingTasks.get();
        if (dropped > 0) {
            LOG.log(Level.DEBUG, "closing with {0} tasks not run", dropped);
        }
        poller.close();
        waker.close();
    }

    /**
     * Whether the loop is closed.
     *
     * @return true after {@link #close()} took effect
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * A snapshot of the loop's counters. Safe from any thread.
     *
     * @return the counters
     */
    public LoopStats stats() {
        return new LoopStats(backend.id(), iterations, eventsDispatched, waitNanos, busyNanos, tasksRun,
                pendingTasks.get(), timers.size(), registered);
    }

    private void checkLoopThread(String op) {
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            throw new IllegalStateException("EventLoop." + op + " must be called on the loop thread ("
                    + t.getName() + "); use execute() from other threads");
        }
    }

    /** For what starts new work: refused once close() was called, even while the last iteration runs. */
    private void checkOpen(String op) {
        if (closed || closeWhenStopped) {
            throw closedException(op);
        }
    }

    /** For what changes registrations and timers: refused once the loop is closed. */
    private void checkNotClosed(String op) {
        if (closed) {
            throw closedException(op);
        }
    }

    private IllegalStateException closedException(String op) {
        return new IllegalStateException("EventLoop." + op + ": " + this + " is closed");
    }

    /** The loop as its backend's engines see it: its own calls, on its thread. */
    private final class LoopReactor implements Reactor {
        @Override
        public void add(int fd, int events, Handler handler) {
            EventLoop.this.add(fd, events, handler);
        }

        @Override
        public void modify(int fd, int events) {
            EventLoop.this.modify(fd, events);
        }

        @Override
        public void remove(int fd) {
            if (!closed) {          // the poller went with the loop: only the socket is left to close
                EventLoop.this.remove(fd);
            }
        }

        @Override
        public void execute(Runnable task) {
            EventLoop.this.execute(task);
        }

        @Override
        public Timer schedule(Duration delay, Runnable task) {
            return EventLoop.this.schedule(delay, task);
        }
    }

    @Override
    public String toString() {
        return "EventLoop[" + backend + ", " + registered + " fds" + (closed ? ", closed" : "") + "]";
    }
}
