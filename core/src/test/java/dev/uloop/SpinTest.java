package dev.uloop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Latency mode ({@link EventLoop#spin}) on every backend: a spinning loop dispatches events,
 * runs tasks from other threads, fires timers not early, stops when asked, and an idle loop
 * stops spinning after the spin duration. A spin of a day makes sure the loop is spinning
 * (its spin polls grow) when the event comes.
 */
@Timeout(30)
class SpinTest {
    /** The spin of the per-backend contract runs ({@code *SpinLoopTest}). */
    static final Duration CONTRACT_SPIN = Duration.ofMillis(1);
    /** Long enough to be spinning whenever the test looks. */
    private static final Duration FOREVER = Duration.ofDays(1);
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private static LoopThread open(Backend b) {
        assumeTrue(b.isAvailable(), () -> b + " is not available here: " + b.unavailableReason().orElse(""));
        return new LoopThread(b);
    }

    /** Sets the spin and waits until the loop is seen spinning (its spin polls grow). */
    private static void spinning(LoopThread lt, Duration spin) {
        long before = lt.loop().stats().spinPolls();
        lt.loop().spin(spin);
        lt.run(() -> { });             // the next iteration reads the spin
        LoopStatsTest.awaitStats(lt.loop(), s -> s.spinPolls() > before + 10);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSpinningLoopDispatchesEvents(Backend b) throws Exception {
        try (LoopThread lt = open(b); Fds fds = new Fds()) {
            int[] p = fds.pipe();
            CompletableFuture<byte[]> got = new CompletableFuture<>();
            lt.run(() -> lt.loop().add(p[0], Events.IN, (fd, ev) -> {
                lt.loop().remove(fd);
                got.complete(Fds.read(fd, 10));
            }));
            spinning(lt, FOREVER);
            long polls = lt.loop().stats().spinPolls();
            Fds.write(p[1], new byte[] {4, 2});
            assertArrayEquals(new byte[] {4, 2}, got.get(10, TimeUnit.SECONDS));
            assertTrue(lt.loop().stats().spinPolls() > polls, "the loop was not spinning");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSpinningLoopRunsTasksFromOtherThreads(Backend b) throws Exception {
        try (LoopThread lt = open(b)) {
            spinning(lt, FOREVER);
            CountDownLatch ran = new CountDownLatch(1000);
            for (int i = 0; i < 1000; i++) {
                lt.loop().execute(ran::countDown);
            }
            assertTrue(ran.await(10, TimeUnit.SECONDS), ran.getCount() + " tasks not run");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSpinningLoopFiresTimersNotEarly(Backend b) throws Exception {
        try (LoopThread lt = open(b)) {
            spinning(lt, FOREVER);
            long[] at = new long[3];
            CountDownLatch fired = new CountDownLatch(1);
            lt.run(() -> {
                at[0] = System.nanoTime();
                at[1] = lt.loop().stats().spinNanos();
                lt.loop().after(Duration.ofMillis(30), () -> {
                    at[2] = System.nanoTime();
                    fired.countDown();
                });
            });
            assertTrue(fired.await(10, TimeUnit.SECONDS), "the timer did not fire");
            long waited = at[2] - at[0];
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(30), "fired after " + waited + " ns, early");
            long spun = lt.loop().stats().spinNanos() - at[1];
            assertTrue(spun >= TimeUnit.MILLISECONDS.toNanos(20), "spun " + spun + " ns while the timer waited");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void stopFromAnotherThreadEndsASpinningRun(Backend b) throws Exception {
        assumeTrue(b.isAvailable(), () -> b + " is not available here: " + b.unavailableReason().orElse(""));
        try (EventLoop loop = EventLoop.open(b).spin(FOREVER)) {
            Thread t = new Thread(loop::run, "spinning-" + b);
            t.setDaemon(true);
            t.start();
            LoopStatsTest.awaitStats(loop, s -> s.spinPolls() > 10);
            loop.stop();
            t.join(10_000);
            assertFalse(t.isAlive(), "run() did not return after stop()");
        }
    }

    /**
     * An idle stretch ended by a timer, with the loop's figures over it: spin time, spin
     * polls and the loop thread's CPU time.
     */
    private static long[] idleStretch(LoopThread lt, Duration spin, Duration stretch) throws Exception {
        lt.loop().spin(spin);
        long[] at = new long[6];
        CountDownLatch fired = new CountDownLatch(1);
        lt.run(() -> {
            LoopStats s = lt.loop().stats();
            at[0] = s.spinNanos();
            at[1] = s.spinPolls();
            at[2] = MX.getCurrentThreadCpuTime();
            lt.loop().after(stretch, () -> {
                LoopStats e = lt.loop().stats();
                at[3] = e.spinNanos();
                at[4] = e.spinPolls();
                at[5] = MX.getCurrentThreadCpuTime();
                fired.countDown();
            });
        });
        assertTrue(fired.await(10, TimeUnit.SECONDS), "the timer did not fire");
        return new long[] {at[3] - at[0], at[4] - at[1], at[5] - at[2]};
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anIdleLoopStopsSpinningAfterTheSpinDuration(Backend b) throws Exception {
        assumeTrue(MX.isCurrentThreadCpuTimeSupported() && MX.isThreadCpuTimeEnabled(), "no thread CPU time here");
        try (LoopThread lt = open(b)) {
            Duration stretch = Duration.ofMillis(400);
            long[] idle = idleStretch(lt, Duration.ofMillis(2), stretch);
            assertTrue(idle[1] > 0, "the loop did not spin at all");
            // It spins 2 ms, then sleeps until the timer: far below the 400 ms stretch.
            assertTrue(idle[0] < TimeUnit.MILLISECONDS.toNanos(100), "spun " + idle[0] + " ns of an idle 400 ms");
            assertTrue(idle[2] < TimeUnit.MILLISECONDS.toNanos(200), "used " + idle[2] + " ns CPU of an idle 400 ms");
            // The control: a spin longer than the stretch spins until the timer is due.
            long[] busy = idleStretch(lt, FOREVER, stretch);
            assertTrue(busy[0] >= TimeUnit.MILLISECONDS.toNanos(300), "spun only " + busy[0] + " ns of 400 ms");
            assertTrue(busy[1] > idle[1], "spin polls " + busy[1] + " spinning, " + idle[1] + " idle");
        }
    }

    @Test
    void offByDefault() throws Exception {
        try (LoopThread lt = new LoopThread(Backend.best())) {
            CountDownLatch fired = new CountDownLatch(1);
            lt.run(() -> lt.loop().after(Duration.ofMillis(20), fired::countDown));
            assertTrue(fired.await(10, TimeUnit.SECONDS));
            LoopStats s = lt.loop().stats();
            assertEquals(0, s.spinPolls());
            assertEquals(0, s.spinNanos());
        }
    }

    @Test
    void spinningCanBeSwitchedOffAgain() throws Exception {
        try (LoopThread lt = new LoopThread(Backend.best())) {
            spinning(lt, FOREVER);
            lt.loop().spin(Duration.ZERO);
            lt.run(() -> { });
            long polls = lt.loop().stats().spinPolls();
            CountDownLatch fired = new CountDownLatch(1);
            lt.run(() -> lt.loop().after(Duration.ofMillis(50), fired::countDown));
            assertTrue(fired.await(10, TimeUnit.SECONDS));
            assertEquals(polls, lt.loop().stats().spinPolls(), "spun after the spin was switched off");
        }
    }

    @Test
    void aNegativeSpinIsRefused() {
        try (EventLoop loop = EventLoop.open(Backend.best())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop.spin(Duration.ofMillis(-1)));
            assertTrue(e.getMessage().contains("negative spin"), e.getMessage());
            assertThrows(NullPointerException.class, () -> loop.spin(null));
            loop.spin(Duration.ofDays(100_000));      // far beyond a year: spinning for good, no overflow
        }
    }

    @Test
    void aGroupSpinsOnEveryLoop() throws Exception {
        try (EventLoopGroup g = EventLoopGroup.open(2, Backend.best(), "spin-test")) {
            g.spin(FOREVER);
            g.start();
            for (int i = 0; i < g.size(); i++) {
                LoopStatsTest.awaitStats(g.loop(i), s -> s.spinPolls() > 10);
            }
            assertTrue(g.totalStats().spinNanos() > 0);
            assertTrue(g.shutdown(Duration.ofSeconds(5)), "the spinning group did not stop");
        }
    }
}
