package dev.uloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link LoopStats} read from other threads while loops run: counters, lag, group totals. */
@Timeout(20)
class LoopStatsTest {
    @Test
    void countersMoveWhileReadFromAnotherThread() throws Exception {
        try (LoopThread lt = new LoopThread(Backend.best())) {
            EventLoop loop = lt.loop();
            long before = loop.stats().iterations();
            CountDownLatch ran = new CountDownLatch(1000);
            for (int i = 0; i < 1000; i++) {
                loop.execute(ran::countDown);
            }
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            LoopStats s = awaitStats(loop, x -> x.tasksRun() >= 1000);
            assertTrue(s.iterations() > before);
            assertTrue(s.lagSamples() >= 1 && s.lagSamples() <= 1000, "lag samples " + s.lagSamples());
            assertTrue(s.lagP50Nanos() <= s.lagP99Nanos() && s.lagP99Nanos() <= s.lagMaxNanos(), s.toString());
            assertEquals(0, s.slowCallbacks());
        }
    }

    @Test
    void aBacklogIsSampledOneTaskInEight() {
        try (EventLoop loop = EventLoop.open(Backend.best())) {
            for (int i = 0; i < 1000; i++) {
                loop.execute(() -> { });
            }
            loop.stop();
            loop.run();            // one iteration runs the backlog
            assertEquals(1000, loop.stats().tasksRun());
            assertEquals(125, loop.stats().lagSamples());
        }
    }

    @Test
    void tasksQueuedOneAtATimeAreAllTimed() throws Exception {
        try (LoopThread lt = new LoopThread(Backend.best())) {
            for (int i = 0; i < 20; i++) {
                CountDownLatch ran = new CountDownLatch(1);
                lt.loop().execute(ran::countDown);
                assertTrue(ran.await(10, TimeUnit.SECONDS));
            }
            assertEquals(20, awaitStats(lt.loop(), x -> x.lagSamples() >= 20).lagSamples());
        }
    }

    @Test
    void lateTimersShowAsLag() throws Exception {
        try (LoopThread lt = new LoopThread(Backend.best())) {
            EventLoop loop = lt.loop();
            CountDownLatch fired = new CountDownLatch(1);
            lt.run(() -> {
                loop.after(Duration.ZERO, fired::countDown);
                sleep(50);                  // the timer is due but the loop is busy
            });
            assertTrue(fired.await(10, TimeUnit.SECONDS));
            LoopStats s = awaitStats(loop, x -> x.lagMaxNanos() >= 40_000_000);
            assertTrue(s.lagMaxNanos() < 10_000_000_000L, s.toString());
        }
    }

    @Test
    void groupTotalsAddUpItsLoops() throws Exception {
        try (EventLoopGroup g = EventLoopGroup.open(2, Backend.best())) {
            g.start();
            CountDownLatch ran = new CountDownLatch(20);
            for (int i = 0; i < 20; i++) {
                g.execute(i % 2, ran::countDown);
            }
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            LoopStats total;
            List<LoopStats> each;
            do {
                each = g.stats();
                total = g.totalStats();
            } while (total.tasksRun() < 20 && System.nanoTime() < deadline);
            assertTrue(total.tasksRun() >= 20, total.toString());
            assertTrue(each.get(0).tasksRun() >= 10 && each.get(1).tasksRun() >= 10, each.toString());
            assertEquals(each.get(0).registeredFds() + each.get(1).registeredFds(), total.registeredFds());
            assertEquals(Math.max(each.get(0).lagMaxNanos(), each.get(1).lagMaxNanos()),
                    LoopStats.total(each).lagMaxNanos());
        }
    }

    /** Polls {@code stats()} from this thread until {@code done} holds (10 s at most). */
    static LoopStats awaitStats(EventLoop loop, java.util.function.Predicate<LoopStats> done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        LoopStats s = loop.stats();
        while (!done.test(s) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            s = loop.stats();
        }
        assertTrue(done.test(s), "stats never got there: " + s);
        return s;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
