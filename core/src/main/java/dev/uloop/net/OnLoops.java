package dev.uloop.net;

import dev.uloop.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;

/** Runs set-up and clean-up of a group's servers on each loop's thread, the way the loop rules ask. */
final class OnLoops {
    private OnLoops() {}

    /**
     * The checks a group server makes before it opens anything.
     *
     * @throws NullPointerException  for a missing group, options or factory
     * @throws IOException           for an unresolved address
     * @throws IllegalStateException if the group is shut down
     */
    static void checkSetUp(EventLoopGroup group, InetSocketAddress address, SocketOptions options, Object factory)
            throws IOException {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(factory, "factory");
        if (address.isUnresolved()) {
            throw new IOException("cannot resolve " + address.getHostString());
        }
        if (group.isShutdown()) {
            throw new IllegalStateException("event loop group " + group.name() + " is shut down");
        }
    }

    /** How long a caller outside the group waits for the loops to run a set-up task. */
    private static final long WAIT_SECONDS = 10;

    /**
     * Runs {@code task.accept(i)} for every loop {@code i} and waits: here, before the group
     * starts; on each loop's thread once it runs.
     *
     * @throws IllegalStateException when called from one of the group's loops once it runs
     *                               (waiting there could deadlock), or when a loop does not
     *                               run the task in time
     * @throws RuntimeException      what the task threw on some loop (the first one)
     */
    static void runAndWait(EventLoopGroup group, IntConsumer task) {
        if (!group.isStarted()) {
            for (int i = 0; i < group.size(); i++) {
                task.accept(i);
            }
            return;
        }
        if (group.inEventLoop()) {
            throw new IllegalStateException("set up a server on an event loop group before start(), or from a"
                    + " thread that is not one of its loops");
        }
        CompletableFuture<?>[] all = new CompletableFuture<?>[group.size()];
        for (int i = 0; i < group.size(); i++) {
            int index = i;
            CompletableFuture<Void> f = new CompletableFuture<>();
            all[i] = f;
            try {
                group.execute(i, () -> {
                    try {
                        task.accept(index);
                        f.complete(null);
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                });
            } catch (RejectedExecutionException e) {
                f.completeExceptionally(new IllegalStateException("loop " + i + " of " + group.name() + " is closed", e));
            }
        }
        try {
            CompletableFuture.allOf(all).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the loops of " + group.name() + " did not run the set-up within "
                    + WAIT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up on " + group.name(), e);
        }
    }

    /**
     * Runs {@code task.accept(i)} for every loop {@code i}, for clean-up: here before the group
     * starts; on each loop's thread once it runs, waiting for them from outside the group,
     * without waiting from inside it. Loops that have ended are skipped (their servers were
     * shut down with them).
     */
    static void runQuietly(EventLoopGroup group, IntConsumer task) {
        if (group.isTerminated()) {
            return;
        }
        if (!group.isStarted()) {
            for (int i = 0; i < group.size(); i++) {
                task.accept(i);
            }
            return;
        }
        if (!group.inEventLoop()) {
            try {
                runAndWait(group, task);
            } catch (IllegalStateException e) {
                // A loop that ended meanwhile: its servers went with it.
            }
            return;
        }
        for (int i = 0; i < group.size(); i++) {
            int index = i;
            if (group.loop(i).inEventLoop()) {
                task.accept(i);
            } else {
                try {
                    group.execute(i, () -> task.accept(index));
                } catch (RejectedExecutionException e) {
                    // That loop has ended.
                }
            }
        }
    }

    /** The sum of a counter over the servers or endpoints of a group. */
    static <T> long sum(T[] items, java.util.function.ToLongFunction<T> counter) {
        long sum = 0;
        for (T t : items) {
            sum += counter.applyAsLong(t);
        }
        return sum;
    }
}
