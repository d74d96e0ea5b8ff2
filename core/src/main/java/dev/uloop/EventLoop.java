package dev.uloop;

import dev.uloop.internal.backend.Backends;
import dev.uloop.internal.backend.LoopEngines;
import dev.uloop.internal.backend.LoopParts;
import dev.uloop.internal.poller.Poller;
import dev.uloop.internal.timer.ScheduledTimer;
import dev.uloop.internal.timer.TimerQueue;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * One event loop over epoll, io_uring, poll or select: the seeds' {@code Uloop}.
 *
 * {@snippet class="dev.uloop.snippets.LoopSnippets" region="eventLoop"}
 *
 * <h2>Threads</h2>
 * Everything happens on the thread that calls {@link #run()}. Until then the loop may be
 * set up from the thread that opened it. While it runs, {@link #add}, {@link #modify} and
 * {@link #remove} must be called from the loop thread (from handlers, timers or tasks);
 * {@link #execute}, {@link #stop}, {@link #stats}, {@link #slowCallbackThreshold}, {@link #spin}, the timer methods ({@link #after},
 * {@link #every}, {@link #repeatAfter}) and
 * {@link Timer#cancel()} are safe from any thread.
 *
 * <h2>One iteration</h2>
 * <ol>
 * <li>wait in the kernel, at most until the earliest timer (rounded up to whole
 *     milliseconds, so a timer never fires early), not at all when tasks are pending;
 *     with a {@linkplain #spin spin}, poll it without waiting for a while first;</li>
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
    private final TaskQueue tasks;
    private final TimerQueue timers = new TimerQueue();
    private final FdHandlers handlers = new FdHandlers();
    private final Phases phases;

    private volatile Thread thread;              // the thread in run(), or null
    private volatile boolean stopRequested;
    private volatile boolean closed;
    private boolean closeWhenStopped;

    private EventLoop(Backend backend) {
        this.backend = backend.requireAvailable();
        this.parts = Backends.open(backend.id(), new LoopReactor(this));
        this.poller = parts.poller();
        this.tasks = TaskQueue.open(poller);
        this.phases = new Phases(poller, parts.completions(), handlers, timers, tasks, backend.id());
        LoopEvents.opened(this);
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
        if (handlers.contains(fd)) {
            throw new IllegalStateException("fd " + fd + " is already registered; remove() it first"
                    + " (was it closed without remove()?)");
        }
        poller.register(fd, events);     // the kernel first: a bad fd fails before the table grows
        handlers.put(fd, events, handler, phases.batch() + 1);   // events of the current batch predate it
        debug("add", fd, events);
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
        if (handlers.interest(fd) != events) {
            poller.modify(fd, events);
            handlers.setInterest(fd, events);
            debug("modify", fd, events);
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
        if (!isRegistered(fd) || fd == tasks.wakeFd()) {
            return;
        }
        handlers.remove(fd);
        poller.unregister(fd);
        debug("remove", fd, -1);
    }

    /**
     * Whether a descriptor is registered.
     *
     * @param fd a descriptor
     * @return true between {@link #add} and {@link #remove}
     */
    public boolean isRegistered(int fd) {
        return handlers.contains(fd);
    }

    /**
     * The interest of a registered descriptor.
     *
     * @param fd a registered descriptor
     * @return its event bits, or 0 if it is not registered
     */
    public int interest(int fd) {
        return handlers.interest(fd);
    }

    /** A DEBUG line for a registration change; the string is made only when it is logged (modify is on the hot path). */
    private static void debug(String op, int fd, int events) {
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, op + " fd=" + fd + (events < 0 ? "" : " " + Events.toString(events)));
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
     * Runs {@code task} once after {@code delay} (JavaScript's {@code setTimeout}, Go's
     * {@code time.AfterFunc}). Safe from any thread, as every timer method.
     *
     * <pre>{@code
     * Timer t = loop.after(Duration.ofSeconds(2), () -> System.out.println("two seconds later"));
     * t.cancel();       // if it should not run after all
     * }</pre>
     *
     * @param delay how long to wait (zero or more)
     * @param task  what to run, on the loop thread
     * @return a handle to cancel it
     * @throws IllegalStateException if the loop is closed (as for every timer method)
     */
    public Timer after(Duration delay, Runnable task) {
        return addTimer(ScheduledTimer.Mode.ONCE, delay, Duration.ZERO, task);
    }

    /**
     * Runs {@code task} every {@code period}, first after one period: the seeds'
     * {@code add_periodic}. Fixed rate, as {@link #every(Duration, Duration, Runnable)}.
     *
     * @param period time between runs (positive)
     * @param task   what to run, on the loop thread
     * @return a handle to cancel it (the seeds' {@code remove_periodic})
     */
    public Timer every(Duration period, Runnable task) {
        return every(period, period, task);
    }

    /**
     * Runs {@code task} at a fixed rate: deadlines {@code initialDelay + k * period}.
     * When the loop falls behind (a slow handler), missed ticks are skipped, never run in
     * a burst (unlike {@code ScheduledExecutorService.scheduleAtFixedRate}, which catches
     * up).
     *
     * @param initialDelay delay of the first run (zero or more)
     * @param period       time between deadlines (positive)
     * @param task         what to run, on the loop thread
     * @return a handle to cancel it
     */
    public Timer every(Duration initialDelay, Duration period, Runnable task) {
        return addTimer(ScheduledTimer.Mode.FIXED_RATE, initialDelay, period, task);
    }

    /**
     * Runs {@code task} again and again with a pause between the end of one run and the
     * start of the next (a fixed delay): for work that must not overlap itself or follow
     * too closely, such as polling something slow.
     *
     * @param initialDelay delay of the first run (zero or more)
     * @param pause        from the end of a run to the start of the next (positive)
     * @param task         what to run, on the loop thread
     * @return a handle to cancel it
     */
    public Timer repeatAfter(Duration initialDelay, Duration pause, Runnable task) {
        return addTimer(ScheduledTimer.Mode.FIXED_DELAY, initialDelay, pause, task);
    }

    private Timer addTimer(ScheduledTimer.Mode mode, Duration delay, Duration period, Runnable task) {
        checkNotClosed(mode == ScheduledTimer.Mode.ONCE ? "after" : "every");
        ScheduledTimer t = ScheduledTimer.starting(System.nanoTime(), mode, delay, period, task, this::cancelTimer);
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
        if (!inEventLoop()) {
            tasks.wakeup();
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
                phases.runOnce(stopRequested);
            } while (!stopRequested);
        } finally {
            stopRequested = false;
            thread = null;
            if (closeWhenStopped) {
                closeResources();
            }
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
        LoopEvents.closed(this);
        int dropped = tasks.pending();
        if (dropped > 0) {
            LOG.log(Level.DEBUG, "closing with {0} tasks not run", dropped);
        }
        poller.close();
        tasks.close();
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
     * A snapshot of the loop's counters and recent lag. Safe from any thread, without a lock.
     *
     * @return the counters
     */
    public LoopStats stats() {
        return phases.stats(backend.id());
    }

    /**
     * Warns about callbacks that hold the loop (asyncio's debug mode; off by default): a
     * handler, timer or task that runs {@code threshold} or longer logs a throttled WARNING
     * naming it, counts in {@link LoopStats#slowCallbacks()} and commits a
     * {@code dev.uloop.SlowCallback} JFR event. Safe from any thread.
     *
     * @param threshold how long is too long; zero switches it off
     * @return this loop
     * @throws IllegalArgumentException if {@code threshold} is negative
     */
    public EventLoop slowCallbackThreshold(Duration threshold) {
        phases.slow.threshold(Objects.requireNonNull(threshold, "threshold"));
        return this;
    }

    /**
     * Latency mode (busy polling; off by default): before it waits in the kernel, each
     * iteration polls the kernel without waiting, again and again, for up to {@code spin},
     * and stops as soon as a descriptor is ready, a task or a {@link #stop} comes from another
     * thread, or a timer is due (never later than the timer, never earlier either). A message
     * that arrives while the loop spins is handled without the kernel's wake-up of a sleeping
     * thread: a shorter round trip, for a core's CPU time. A loop with nothing to do for
     * longer than {@code spin} waits in the kernel as usual, so an idle loop costs nothing;
     * one that gets work more often than every {@code spin} never sleeps and keeps its core
     * busy. Worth it only where a core can be spent on the loop: one loop per free core.
     * {@link LoopStats#spinPolls()} and {@link LoopStats#spinNanos()} count what it costs.
     * Safe from any thread; read at the start of each iteration.
     *
     * <pre>{@code
     * EventLoop loop = EventLoop.open().spin(Duration.of(100, ChronoUnit.MICROS));
     * }</pre>
     *
     * @param spin how long to poll without waiting before each wait, e.g. 50 µs to 1 ms;
     *             zero switches it off (the default); beyond a year, a year
     * @return this loop
     * @throws IllegalArgumentException if {@code spin} is negative
     */
    public EventLoop spin(Duration spin) {
        phases.spin(Objects.requireNonNull(spin, "spin"));
        return this;
    }

    /** The name of the thread running the loop, or null (for the JFR statistics event). */
    String threadName() {
        Thread t = thread;
        return t == null ? null : t.getName();
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

    @Override
    public String toString() {
        return "EventLoop[" + backend + ", " + handlers.size() + " fds" + (closed ? ", closed" : "") + "]";
    }
}
