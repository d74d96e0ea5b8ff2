package dev.uloop;

import dev.uloop.internal.util.Durations;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Several event loops on one backend, each run by its own (platform, named) thread: one
 * loop per core, for servers that share a port between the loops (see
 * {@link dev.uloop.net.TcpServerGroup} and {@link dev.uloop.net.UdpEndpointGroup}).
 *
 * {@snippet class="dev.uloop.snippets.LoopSnippets" region="group"}
 *
 * <h2>Threads</h2>
 * Each loop follows the rules of {@link EventLoop}: before {@link #start()} the group may
 * be set up from the thread that opened it; once started, loop {@code i} belongs to its
 * thread ({@code <name>-<i>}), and other threads reach it with {@link #execute(int, Runnable)}
 * (or {@code loop(i).execute}). The threads are daemon threads: whoever owns the group keeps
 * the process alive (for example by waiting for a signal) and shuts the group down.
 * Do not {@link EventLoop#stop()} or {@link EventLoop#close()} a loop of a group yourself:
 * a stopped loop is run again, a closed one ends its thread for good.
 *
 * <h2>Graceful shutdown</h2>
 * {@link #shutdown(Duration)} gives the whole group one deadline. On each loop's thread it
 * calls the loop's {@linkplain #addShutdownHook shutdown hooks} with what is left of that
 * deadline by then (a busy loop gets less, never a fresh grace period), and stops the loop
 * once all of them said they are done. Servers bound to a group register their hooks
 * themselves, so that a shutdown stops accepting, flushes what connections have queued and
 * closes them.
 */
public final class EventLoopGroup implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("uloop.EventLoopGroup");
    private static final AtomicInteger GROUPS = new AtomicInteger();
    /** How long after the deadline {@link #shutdown} waits for the threads to end. */
    private static final Duration STOP_SLACK = Duration.ofSeconds(2);

    private final String name;
    private final Backend backend;
    private final EventLoop[] loops;
    private final ShutdownHooks hooks;
    private final Thread[] threads;
    private final AtomicInteger next = new AtomicInteger();
    private final CountDownLatch terminated;
    private volatile boolean started;
    private volatile boolean shuttingDown;
    private volatile boolean closed;

    private EventLoopGroup(int n, Backend backend, String name) {
        this.name = name;
        this.backend = backend;
        this.loops = new EventLoop[n];
        this.threads = new Thread[n];
        this.terminated = new CountDownLatch(n);
        try {
            for (int i = 0; i < n; i++) {
                loops[i] = EventLoop.open(backend);
            }
        } catch (RuntimeException | Error e) {
            for (EventLoop l : loops) {
                if (l != null) {
                    l.close();
                }
            }
            throw e;
        }
        this.hooks = new ShutdownHooks(name, n);
    }

    /**
     * Opens one loop per available processor on the backend named by the
     * {@code uloop.backend} system property, or on the best one.
     *
     * @return a group, not started
     * @throws UnsupportedOperationException if the named backend is not available here
     */
    public static EventLoopGroup open() {
        return open(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Opens {@code n} loops on the backend named by the {@code uloop.backend} system
     * property, or on the best one.
     *
     * @param n how many loops (1 or more)
     * @return a group, not started
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    public static EventLoopGroup open(int n) {
        return open(n, Backend.fromProperty());
    }

    /**
     * Opens {@code n} loops on a backend; their threads will be named
     * {@code uloop-group-<k>-<i>}.
     *
     * @param n       how many loops (1 or more)
     * @param backend the kernel interface every loop waits on
     * @return a group, not started
     * @throws IllegalArgumentException      if {@code n} is less than 1
     * @throws UnsupportedOperationException if the backend is not available here
     */
    public static EventLoopGroup open(int n, Backend backend) {
        return open(n, backend, "uloop-group-" + GROUPS.incrementAndGet());
    }

    /**
     * Opens {@code n} loops on a backend, with a name for their threads.
     *
     * @param n       how many loops (1 or more)
     * @param backend the kernel interface every loop waits on
     * @param name    the threads are called {@code <name>-0}, {@code <name>-1}, ...
     * @return a group, not started
     * @throws IllegalArgumentException      if {@code n} is less than 1
     * @throws UnsupportedOperationException if the backend is not available here
     */
    public static EventLoopGroup open(int n, Backend backend, String name) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(name, "name");
        if (n < 1) {
            throw new IllegalArgumentException("an event loop group needs 1 loop or more, not " + n);
        }
        return new EventLoopGroup(n, backend.requireAvailable(), name);
    }

    /**
     * How many loops the group has.
     *
     * @return the number of loops
     */
    public int size() {
        return loops.length;
    }

    /**
     * The backend every loop of the group waits on.
     *
     * @return the backend
     */
    public Backend backend() {
        return backend;
    }

    /**
     * The group's name, the prefix of its thread names.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * One loop of the group.
     *
     * @param i its index, from 0 to {@link #size()} - 1
     * @return the loop
     * @throws IndexOutOfBoundsException for another index
     */
    public EventLoop loop(int i) {
        return loops[Objects.checkIndex(i, loops.length)];
    }

    /**
     * The next loop in turn (round robin), for spreading work over the group. Safe from any
     * thread.
     *
     * @return a loop of the group
     */
    public EventLoop next() {
        return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    }

    /**
     * Runs {@code task} on loop {@code i}'s thread: {@code loop(i).execute(task)}. Safe from
     * any thread.
     *
     * @param i    the loop's index
     * @param task what to run
     * @throws RejectedExecutionException if that loop is closed
     */
    public void execute(int i, Runnable task) {
        loop(i).execute(task);
    }

    /**
     * Whether the calling thread is the thread of one of the group's loops.
     *
     * @return true inside the handlers, timers and tasks of any loop of the group
     */
    public boolean inEventLoop() {
        for (EventLoop l : loops) {
            if (l.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- start

    /**
     * Starts one thread per loop, named {@code <name>-<i>}, each running its loop until the
     * group shuts down.
     *
     * @throws IllegalStateException if the group was started or shut down already
     */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("event loop group " + name + " is already started");
        }
        if (shuttingDown || closed) {
            throw new IllegalStateException("event loop group " + name + " is shut down");
        }
        started = true;
        for (int i = 0; i < loops.length; i++) {
            int index = i;
            Thread t = Thread.ofPlatform().name(name + "-" + i).daemon(true).unstarted(() -> runLoop(index));
            threads[i] = t;
            try {
                t.start();
            } catch (RuntimeException | Error e) {
                // Out of threads: the loops already running keep going until shutdown; the rest never run.
                for (int j = i; j < loops.length; j++) {
                    threads[j] = null;
                    loops[j].close();
                    terminated.countDown();
                }
                LOG.log(Level.ERROR, "cannot start the thread of loop " + i + " of " + name, e);
                throw e;
            }
        }
    }

    /**
     * Whether {@link #start()} was called.
     *
     * @return true once started
     */
    public boolean isStarted() {
        return started;
    }

    private void runLoop(int i) {
        EventLoop loop = loops[i];
        try {
            do {
                loop.run();
            } while (!shuttingDown && !loop.isClosed());
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "loop " + i + " of " + name + " failed", e);
        } finally {
            loop.close();
            terminated.countDown();
        }
    }

    // ---------------------------------------------------------------- shutdown

    /**
     * Adds something for a graceful {@link #shutdown} to wait for on loop {@code i}. Hooks of
     * a loop run in the order they were added. Safe from any thread; a hook added after the
     * shutdown began on that loop is not called.
     *
     * @param i    the loop's index
     * @param hook what to run, on that loop's thread, when the group shuts down
     */
    public void addShutdownHook(int i, ShutdownHook hook) {
        hooks.of(Objects.checkIndex(i, loops.length)).add(Objects.requireNonNull(hook, "hook"));
    }

    /**
     * Removes a hook added with {@link #addShutdownHook}.
     *
     * @param i    the loop's index
     * @param hook the hook
     * @return whether it was there
     */
    public boolean removeShutdownHook(int i, ShutdownHook hook) {
        return hooks.of(Objects.checkIndex(i, loops.length)).remove(hook);
    }

    /**
     * Shuts the group down gracefully, with one deadline, {@code grace} from now, for all
     * loops: on each loop's thread, calls its shutdown hooks with what is left of the
     * deadline, stops the loop once they are all done (or shortly after the deadline if some
     * is not), and waits for every thread to end, at most a couple of seconds past the
     * deadline. The loops are closed as their threads end.
     *
     * <p>A group that was never started runs its hooks on the calling thread and closes its
     * loops. Calling this again (from any thread) waits for the same shutdown.
     *
     * @param grace how long the hooks have, together, to finish (zero for at once)
     * @return true if every hook finished and every loop thread ended in time
     * @throws IllegalStateException if called from one of the group's loops (it would wait
     *                               for itself)
     */
    public boolean shutdown(Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("negative grace " + grace);
        }
        if (inEventLoop()) {
            throw new IllegalStateException("EventLoopGroup.shutdown waits for the group's loops to end;"
                    + " call it from another thread");
        }
        long deadline = System.nanoTime() + Durations.saturatedNanos(grace);
        boolean first;
        boolean running;
        synchronized (this) {
            first = !shuttingDown;
            shuttingDown = true;
            running = started;
        }
        if (!running) {
            if (first) {
                for (int i = 0; i < loops.length; i++) {
                    hooks.runHere(i, deadline);
                    loops[i].close();
                    terminated.countDown();
                }
            }
            return !hooks.unfinished();
        }
        if (first) {
            for (int i = 0; i < loops.length; i++) {
                int index = i;
                try {
                    loops[i].execute(() -> hooks.runOnLoop(index, loops[index], deadline));
                } catch (RejectedExecutionException e) {
                    // That loop has already ended.
                }
            }
        }
        boolean ended = awaitUntil(deadline + STOP_SLACK.toNanos() + ShutdownHooks.MARGIN.toNanos());
        if (!ended) {
            LOG.log(Level.WARNING, name + ": " + terminated.getCount() + " loop threads still running "
                    + STOP_SLACK.plus(ShutdownHooks.MARGIN).toMillis() + " ms after the deadline (a handler that does not return?)");
            for (EventLoop l : loops) {
                l.stop();
            }
        }
        return ended && !hooks.unfinished();
    }

    private boolean awaitUntil(long deadline) {
        try {
            return terminated.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Waits for every loop thread to end (after a {@link #shutdown}).
     *
     * @param timeout how long to wait at most
     * @return true if they all ended
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(Durations.saturatedNanos(timeout), TimeUnit.NANOSECONDS);
    }

    /**
     * Whether a shutdown began.
     *
     * @return true once {@link #shutdown} or {@link #close} was called
     */
    public boolean isShutdown() {
        return shuttingDown;
    }

    /**
     * Whether every loop thread has ended (or, for a group never started, the shutdown ran).
     *
     * @return true once terminated
     */
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    /**
     * Shuts down at once: {@link #shutdown(Duration) shutdown(Duration.ZERO)}, so hooks close
     * what they hold without waiting for it to drain. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        shutdown(Duration.ZERO);
    }

    /**
     * A snapshot of every loop's counters, in loop order. Safe from any thread.
     *
     * @return one {@link LoopStats} per loop
     */
    public List<LoopStats> stats() {
        List<LoopStats> s = new ArrayList<>(loops.length);
        for (EventLoop l : loops) {
            s.add(l.stats());
        }
        return s;
    }

    /**
     * The counters of the whole group: {@link LoopStats#total} of {@link #stats()}. Safe from
     * any thread.
     *
     * @return the loops' counters added up, with the worst loop's lag
     */
    public LoopStats totalStats() {
        return LoopStats.total(stats());
    }

    /**
     * Sets every loop's {@linkplain EventLoop#slowCallbackThreshold slow-callback threshold}.
     * Safe from any thread.
     *
     * @param threshold how long is too long; zero switches the warnings off
     * @return this group
     */
    public EventLoopGroup slowCallbackThreshold(Duration threshold) {
        for (EventLoop l : loops) {
            l.slowCallbackThreshold(threshold);
        }
        return this;
    }

    /**
     * Sets every loop's {@linkplain EventLoop#spin spin} (latency mode): each loop polls
     * without waiting for up to {@code spin} before it waits, at the cost of up to a core
     * per busy loop. Safe from any thread.
     *
     * @param spin how long to poll without waiting before each wait; zero switches it off
     * @return this group
     * @throws IllegalArgumentException if {@code spin} is negative
     */
    public EventLoopGroup spin(Duration spin) {
        for (EventLoop l : loops) {
            l.spin(spin);
        }
        return this;
    }

    @Override
    public String toString() {
        return "EventLoopGroup[" + name + ", " + loops.length + " loops, " + backend + "]";
    }
}
