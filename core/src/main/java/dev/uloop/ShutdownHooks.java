package dev.uloop;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shutdown hooks of a group's loops, and running them against one deadline: on a
 * started group each loop runs its own hooks on its thread and stops once all of them said
 * they are done (or shortly after the deadline); on a group never started the caller runs
 * them all.
 */
final class ShutdownHooks {
    private static final System.Logger LOG = System.getLogger("uloop.EventLoopGroup");
    /** How long after the deadline a loop stops although some hook has not called done. */
    static final Duration MARGIN = Duration.ofMillis(500);

    private final String group;
    private final List<List<ShutdownHook>> hooks;
    private final AtomicBoolean unfinished = new AtomicBoolean();

    ShutdownHooks(String group, int loops) {
        this.group = group;
        List<List<ShutdownHook>> h = new ArrayList<>(loops);
        for (int i = 0; i < loops; i++) {
            h.add(new CopyOnWriteArrayList<>());
        }
        this.hooks = List.copyOf(h);
    }

    /** Loop {@code i}'s hooks (thread-safe). */
    List<ShutdownHook> of(int i) {
        return hooks.get(i);
    }

    /** Whether some hook did not call done in time. */
    boolean unfinished() {
        return unfinished.get();
    }

    /** On loop {@code i}'s thread: runs its hooks with what is left of the deadline, stops the loop once all are done. */
    void runOnLoop(int i, EventLoop loop, long deadline) {
        List<ShutdownHook> hs = List.copyOf(hooks.get(i));
        if (hs.isEmpty()) {
            loop.stop();
            return;
        }
        AtomicInteger pending = new AtomicInteger(hs.size());
        Duration remaining = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        Timer guard = loop.after(remaining.plus(MARGIN), () -> {
            if (pending.get() > 0) {
                unfinished.set(true);
                LOG.log(Level.WARNING, group + ": " + pending.get() + " shutdown hooks of loop " + i + " were not done "
                        + MARGIN.toMillis() + " ms after the deadline; stopping the loop anyway");
            }
            loop.stop();
        });
        for (ShutdownHook h : hs) {
            AtomicBoolean once = new AtomicBoolean();
            Runnable done = () -> {
                if (once.compareAndSet(false, true) && pending.decrementAndGet() == 0) {
                    guard.cancel();
                    loop.stop();
                }
            };
            try {
                h.shutdown(remaining, done);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "shutdown hook " + h + " of loop " + i + " threw", e);
                done.run();
            }
        }
    }

    /** Not started: the caller owns the loops, so loop {@code i}'s hooks run here; what they leave for later never happens. */
    void runHere(int i, long deadline) {
        for (ShutdownHook h : List.copyOf(hooks.get(i))) {
            AtomicBoolean done = new AtomicBoolean();
            try {
                h.shutdown(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), () -> done.set(true));
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "shutdown hook " + h + " of loop " + i + " threw", e);
                done.set(true);
            }
            if (!done.get()) {
                unfinished.set(true);
            }
        }
    }
}
