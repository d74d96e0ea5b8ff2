package dev.uloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several loops, each on its own thread: start, round robin, tasks, one-deadline graceful shutdown. */
@Timeout(30)
class EventLoopGroupTest {

    /** Runs {@code c} on loop {@code i} and returns its result. */
    static <T> T call(EventLoopGroup g, int i, java.util.concurrent.Callable<T> c) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        g.execute(i, () -> {
            try {
                f.complete(c.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void sizeDefaultsToTheNumberOfProcessors() {
        try (EventLoopGroup g = EventLoopGroup.open()) {
            assertEquals(Runtime.getRuntime().availableProcessors(), g.size());
            assertEquals(Backend.fromProperty(), g.backend());
        }
    }

    @Test
    void badSizesAndIndexesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EventLoopGroup.open(0));
        assertEquals("an event loop group needs 1 loop or more, not 0", e.getMessage());
        try (EventLoopGroup g = EventLoopGroup.open(2, Backend.best())) {
            assertThrows(IndexOutOfBoundsException.class, () -> g.loop(2));
            assertThrows(IndexOutOfBoundsException.class, () -> g.execute(-1, () -> { }));
        }
    }

    @Test
    void eachLoopRunsOnItsOwnNamedPlatformThread() throws Exception {
        try (EventLoopGroup g = EventLoopGroup.open(3, Backend.best(), "test-group")) {
            g.start();
            assertTrue(g.isStarted());
            assertFalse(g.inEventLoop());
            Set<Thread> threads = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                int index = i;
                Thread t = call(g, i, () -> {
                    assertTrue(g.loop(index).inEventLoop());
                    assertTrue(g.inEventLoop());
                    return Thread.currentThread();
                });
                assertEquals("test-group-" + i, t.getName());
                assertFalse(t.isVirtual());
                assertTrue(t.isDaemon());
                threads.add(t);
            }
            assertEquals(3, threads.size());
            // loop(i).execute is the same door.
            assertEquals("test-group-1", call(g, 1, () -> Thread.currentThread().getName()));
            CompletableFuture<String> viaLoop = new CompletableFuture<>();
            g.loop(2).execute(() -> viaLoop.complete(Thread.currentThread().getName()));
            assertEquals("test-group-2", viaLoop.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void nextGoesRoundRobin() {
        try (EventLoopGroup g = EventLoopGroup.open(3, Backend.best())) {
            List<EventLoop> seen = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                seen.add(g.next());
            }
            assertEquals(List.of(g.loop(0), g.loop(1), g.loop(2), g.loop(0), g.loop(1), g.loop(2), g.loop(0)), seen);
        }
    }

    @Test
    void startTwiceOrAfterShutdownIsRefused() {
        EventLoopGroup g = EventLoopGroup.open(1, Backend.best());
        g.start();
        assertThrows(IllegalStateException.class, g::start);
        assertTrue(g.shutdown(Duration.ofSeconds(5)));
        assertThrows(IllegalStateException.class, g::start);
        assertThrows(RejectedExecutionException.class, () -> g.execute(0, () -> { }));
    }

    @Test
    void aLoopStoppedByHandIsRunAgain() throws Exception {
        try (EventLoopGroup g = EventLoopGroup.open(2, Backend.best())) {
            g.start();
            g.loop(0).stop();
            assertEquals(42, (int) call(g, 0, () -> 42));
            g.execute(0, () -> g.loop(0).stop());
            assertEquals(43, (int) call(g, 0, () -> 43));
        }
    }

    @Test
    void shutdownRunsEveryHookOnItsLoopAndWaitsUntilAllAreDone() throws Exception {
        EventLoopGroup g = EventLoopGroup.open(3, Backend.best(), "hooks");
        List<String> ran = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 3; i++) {
            int index = i;
            for (String name : List.of("a", "b")) {
                g.addShutdownHook(i, (remaining, done) -> {
                    assertTrue(g.loop(index).inEventLoop(), "hook on its loop's thread");
                    // Finish later, as a server that lets its connections drain does.
                    g.loop(index).after(Duration.ofMillis(50), () -> {
                        ran.add(index + name);
                        done.run();
                        done.run();        // a second call is ignored
                    });
                });
            }
        }
        ShutdownHook removed = (remaining, done) -> ran.add("removed");
        g.addShutdownHook(0, removed);
        assertTrue(g.removeShutdownHook(0, removed));
        g.start();
        long t0 = System.nanoTime();
        assertTrue(g.shutdown(Duration.ofSeconds(10)));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(50), "waited for the hooks");
        assertEquals(Set.of("0a", "0b", "1a", "1b", "2a", "2b"), Set.copyOf(ran));
        assertEquals(6, ran.size());
        assertTrue(g.isShutdown());
        assertTrue(g.isTerminated());
        for (int i = 0; i < 3; i++) {
            assertTrue(g.loop(i).isClosed(), "loop " + i + " closed");
        }
        assertTrue(g.shutdown(Duration.ZERO), "a second shutdown finds it done");
    }

    /**
     * One deadline for the group: a loop busy when the shutdown begins gets what is left of
     * it, not a fresh grace period.
     */
    @Test
    void eachLoopGetsWhatIsLeftOfOneDeadline() throws Exception {
        EventLoopGroup g = EventLoopGroup.open(2, Backend.best());
        AtomicLong[] remaining = {new AtomicLong(-1), new AtomicLong(-1)};
        for (int i = 0; i < 2; i++) {
            int index = i;
            g.addShutdownHook(i, (left, done) -> {
                remaining[index].set(left.toMillis());
                done.run();
            });
        }
        g.start();
        CountDownLatch busy = new CountDownLatch(1);
        AtomicLong busyUntil = new AtomicLong(Long.MAX_VALUE);
        g.execute(1, () -> {
            busy.countDown();
            while (System.nanoTime() - busyUntil.get() < 0) {
                Thread.onSpinWait();        // loop 1 is busy in a handler
            }
        });
        assertTrue(busy.await(10, TimeUnit.SECONDS));
        long t1 = System.nanoTime();
        busyUntil.set(t1 + TimeUnit.MILLISECONDS.toNanos(400));
        assertTrue(g.shutdown(Duration.ofMillis(1000)));
        // Loop 1 ran its hook at least 400 ms into the 1000 ms: at most about 600 ms were left.
        assertTrue(remaining[1].get() <= 650, "loop 1 got " + remaining[1].get() + " ms");
        assertTrue(remaining[1].get() >= 0);
        assertTrue(remaining[0].get() > remaining[1].get(),
                "loop 0 (idle) got " + remaining[0].get() + " ms, loop 1 (busy) " + remaining[1].get() + " ms");
    }

    @Test
    void aHookThatNeverFinishesIsGivenUpOnShortlyAfterTheDeadline() {
        EventLoopGroup g = EventLoopGroup.open(2, Backend.best(), "stuck");
        g.addShutdownHook(0, (remaining, done) -> { });   // never calls done
        g.addShutdownHook(1, (remaining, done) -> done.run());
        g.start();
        long t0 = System.nanoTime();
        AtomicReference<Boolean> result = new AtomicReference<>();
        List<LogRecord> logged = LogCapture.capture("uloop.EventLoopGroup", Level.ALL,
                () -> result.set(g.shutdown(Duration.ofMillis(100))));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertFalse(result.get(), "a hook did not finish");
        assertTrue(g.isTerminated(), "the loops stopped anyway");
        assertTrue(ms >= 100 && ms < 2000, "took " + ms + " ms");
        assertTrue(logged.stream().anyMatch(r -> r.getMessage().contains("1 shutdown hooks of loop 0 were not done")),
                () -> logged.stream().map(LogRecord::getMessage).toList().toString());
    }

    @Test
    void aHookThatThrowsCountsAsDone() {
        EventLoopGroup g = EventLoopGroup.open(1, Backend.best());
        g.addShutdownHook(0, (remaining, done) -> {
            throw new IllegalStateException("boom");
        });
        g.start();
        List<LogRecord> logged = LogCapture.capture("uloop.EventLoopGroup", Level.ALL,
                () -> assertTrue(g.shutdown(Duration.ofSeconds(5))));
        assertTrue(logged.stream().anyMatch(r -> r.getLevel() == Level.SEVERE), "logged as an error");
    }

    @Test
    void shutdownOfAGroupNeverStartedRunsTheHooksHere() {
        EventLoopGroup g = EventLoopGroup.open(2, Backend.best());
        List<Thread> ran = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 2; i++) {
            g.addShutdownHook(i, (remaining, done) -> {
                ran.add(Thread.currentThread());
                done.run();
            });
        }
        assertTrue(g.shutdown(Duration.ofSeconds(1)));
        assertEquals(List.of(Thread.currentThread(), Thread.currentThread()), ran);
        assertTrue(g.isTerminated());
        assertTrue(g.loop(0).isClosed());
        assertTrue(g.loop(1).isClosed());
        assertThrows(IllegalStateException.class, g::start);
    }

    @Test
    void shutdownFromOneOfItsOwnLoopsIsRefused() throws Exception {
        try (EventLoopGroup g = EventLoopGroup.open(2, Backend.best())) {
            g.start();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> call(g, 1, () -> g.shutdown(Duration.ZERO)));
            IllegalStateException ise = (IllegalStateException) e.getCause();
            assertTrue(ise.getMessage().contains("call it from another thread"), ise.getMessage());
            assertFalse(g.isShutdown());
        }
    }

    @Test
    void closeShutsDownAtOnceAndIsIdempotent() throws Exception {
        EventLoopGroup g = EventLoopGroup.open(2, Backend.best());
        AtomicLong left = new AtomicLong(-1);
        g.addShutdownHook(1, (remaining, done) -> {
            left.set(remaining.toNanos());
            done.run();
        });
        g.start();
        assertEquals(2, g.stats().size());
        assertEquals(Backend.best().id(), g.stats().get(1).backend());
        g.close();
        g.close();
        assertEquals(0, left.get(), "close gives the hooks no time");
        assertTrue(g.isTerminated());
        assertNotEquals(null, g.toString());
        assertSame(g.loop(0), g.loop(0));
    }
}
