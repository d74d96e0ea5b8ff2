package dev.uloop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.Socket;
import dev.uloop.internal.posix.Unistd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every backend must share. Each backend's test class only names its
 * backend (CPython's BaseSelectorTestCase, Netty's SocketEchoTest subclasses).
 */
@Timeout(30)
public abstract class EventLoopContract {
    /** The backend under test. */
    protected abstract Backend backend();

    /** The loop's {@linkplain EventLoop#spin spin}: none, unless a subclass runs the contract spinning. */
    protected Duration spin() {
        return Duration.ZERO;
    }

    protected EventLoop loop;
    protected Fds fds;

    @BeforeEach
    void open() {
        // Per test, not in @BeforeAll: Surefire reports tests skipped there as neither run nor skipped.
        assumeTrue(backend().isAvailable(),
                () -> backend() + " is not available here: " + backend().unavailableReason().orElse(""));
        loop = EventLoop.open(backend()).spin(spin());
        fds = new Fds();
    }

    @AfterEach
    void closeAll() {
        if (loop != null) {
            loop.close();
            fds.close();
        }
    }

    /** Runs the loop until a handler stops it, or fails after {@code max}. */
    protected void runUntilStopped(Duration max) {
        AtomicBoolean expired = new AtomicBoolean();
        Timer watchdog = loop.after(max, () -> {
            expired.set(true);
            loop.stop();
        });
        loop.run();
        watchdog.cancel();
        assertFalse(expired.get(), "the loop was not stopped within " + max);
    }

    /** Runs exactly one iteration that does not wait: what is ready now is dispatched. */
    protected void pollOnce() {
        loop.stop();
        loop.run();
    }

    private static final Duration LONG = Duration.ofSeconds(10);

    // ------------------------------------------------------------ readiness

    @Test
    void pipeBecomesReadable() {
        int[] p = fds.pipe();
        List<String> seen = new ArrayList<>();
        loop.add(p[0], Events.IN, (fd, ev) -> {
            seen.add(fd + ":" + Events.toString(ev) + ":" + new String(Fds.read(fd, 100), StandardCharsets.US_ASCII));
            loop.stop();
        });
        Fds.write(p[1], "hello".getBytes(StandardCharsets.US_ASCII));
        runUntilStopped(LONG);
        assertEquals(List.of(p[0] + ":IN:hello"), seen);
    }

    @Test
    void pipeIsWritable() {
        int[] p = fds.pipe();
        AtomicInteger got = new AtomicInteger();
        loop.add(p[1], Events.OUT, (fd, ev) -> {
            got.set(ev);
            loop.stop();
        });
        runUntilStopped(LONG);
        assertEquals(Events.OUT, got.get());
    }

    @Test
    void socketpairReadableAndWritable() {
        int[] s = fds.socketpair();
        Fds.write(s[1], new byte[] {1, 2, 3});
        AtomicInteger got = new AtomicInteger();
        loop.add(s[0], Events.IN | Events.OUT, (fd, ev) -> {
            got.set(ev);
            loop.stop();
        });
        runUntilStopped(LONG);
        assertEquals(Events.IN | Events.OUT, got.get());
        assertArrayEquals(new byte[] {1, 2, 3}, Fds.read(s[0], 10));
    }

    @Test
    void nothingReadyMeansNoCall() {
        int[] s = fds.socketpair();
        AtomicInteger calls = new AtomicInteger();
        loop.add(s[0], Events.IN, (fd, ev) -> calls.incrementAndGet());
        pollOnce();
        assertEquals(0, calls.get());
    }

    @Test
    void modifyChangesInterest() {
        int[] s = fds.socketpair();
        List<Integer> seen = new ArrayList<>();
        loop.add(s[0], Events.OUT, (fd, ev) -> {
            seen.add(ev);
            if (ev == Events.OUT) {
                loop.modify(fd, Events.IN);       // writable forever: stop asking
                assertEquals(Events.IN, loop.interest(fd));
                loop.after(Duration.ofMillis(30), () -> Fds.write(s[1], new byte[] {9}));
            } else {
                loop.stop();
            }
        });
        runUntilStopped(LONG);
        assertEquals(List.of(Events.OUT, Events.IN), seen);
    }

    @Test
    void modifyToZeroStopsWatching() {
        int[] s = fds.socketpair();
        AtomicInteger calls = new AtomicInteger();
        loop.add(s[0], Events.IN, (fd, ev) -> calls.incrementAndGet());
        loop.modify(s[0], Events.NONE);
        fds.close(s[1]);                 // EOF and HUP: would be reported forever if watched
        pollOnce();
        assertEquals(0, calls.get());
        loop.modify(s[0], Events.IN);
        pollOnce();
        assertEquals(1, calls.get());
        loop.remove(s[0]);
    }

    @Test
    void removeInsideDispatchSkipsTheRestOfTheBatch() {
        int[] a = fds.socketpair();
        int[] b = fds.socketpair();
        Fds.write(a[1], new byte[] {1});
        Fds.write(b[1], new byte[] {1});
        AtomicInteger calls = new AtomicInteger();
        loop.add(a[0], Events.IN, (fd, ev) -> {
            calls.incrementAndGet();
            Fds.read(fd, 1);
            loop.remove(b[0]);
        });
        loop.add(b[0], Events.IN, (fd, ev) -> {
            calls.incrementAndGet();
            Fds.read(fd, 1);
            loop.remove(a[0]);
        });
        pollOnce();
        assertEquals(1, calls.get(), "the removed descriptor's handler must not run in the same batch");
        pollOnce();
        assertEquals(1, calls.get());
    }

    @Test
    void fdClosedAndReusedInsideDispatchIsNotCalledWithTheOldEvent() {
        int[] a = fds.socketpair();
        int[] b = fds.socketpair();
        Fds.write(a[1], new byte[] {1});
        Fds.write(b[1], new byte[] {1});
        AtomicInteger oldCalls = new AtomicInteger();
        AtomicInteger newCalls = new AtomicInteger();
        AtomicInteger reused = new AtomicInteger(-1);
        Handler replace = (fd, ev) -> {
            oldCalls.incrementAndGet();
            int other = fd == a[0] ? b[0] : a[0];
            loop.remove(other);
            fds.close(other);
            int[] fresh = fds.pipe();          // takes the lowest free number: the one just closed
            reused.set(fresh[0] == other ? 1 : 0);
            loop.add(fresh[0], Events.IN, (f, e) -> newCalls.incrementAndGet());
            Fds.read(fd, 1);
        };
        loop.add(a[0], Events.IN, replace);
        loop.add(b[0], Events.IN, replace);
        pollOnce();
        assertEquals(1, reused.get(), "test precondition: the fd number was reused");
        assertEquals(1, oldCalls.get());
        assertEquals(0, newCalls.get(), "a stale event reached the new registration");
    }

    @Test
    void removeThenCloseAndReuseTheNumber() {
        int[] p = fds.pipe();
        AtomicInteger oldCalls = new AtomicInteger();
        loop.add(p[0], Events.IN, (fd, ev) -> oldCalls.incrementAndGet());
        loop.remove(p[0]);
        assertFalse(loop.isRegistered(p[0]));
        loop.remove(p[0]);                     // twice is fine
        fds.close(p[0]);
        fds.close(p[1]);
        int[] q = fds.pipe();
        assertEquals(p[0], q[0], "test precondition: the fd number was reused");
        AtomicReference<String> got = new AtomicReference<>();
        loop.add(q[0], Events.IN, (fd, ev) -> {
            got.set(new String(Fds.read(fd, 10), StandardCharsets.US_ASCII));
            loop.stop();
        });
        Fds.write(q[1], "new".getBytes(StandardCharsets.US_ASCII));
        runUntilStopped(LONG);
        assertEquals("new", got.get());
        assertEquals(0, oldCalls.get());
    }

    // ------------------------------------------------------------ the documented bits

    @Test
    void socketpairPeerCloseGivesInAndRdhup() {
        int[] s = fds.socketpair();
        AtomicInteger got = new AtomicInteger();
        loop.add(s[0], Events.IN | Events.RDHUP, (fd, ev) -> {
            got.set(ev);
            loop.stop();
        });
        fds.close(s[1]);
        runUntilStopped(LONG);
        assertEquals(Events.IN | Events.RDHUP, got.get(), Events.toString(got.get()));
        assertEquals(0, Fds.read(s[0], 10).length, "read returns 0 at EOF");
    }

    @Test
    void tcpPeerCloseGivesInAndRdhup() {
        int[] t = fds.tcpPair();
        AtomicInteger got = new AtomicInteger();
        loop.add(t[1], Events.IN | Events.RDHUP, (fd, ev) -> {
            got.set(ev);
            loop.stop();
        });
        fds.close(t[0]);
        runUntilStopped(LONG);
        assertEquals(Events.IN | Events.RDHUP, got.get(), Events.toString(got.get()));
        assertEquals(0, Fds.read(t[1], 10).length);
    }

    @Test
    void pipeWriterClosedGivesIn() {
        int[] p = fds.pipe();
        AtomicInteger got = new AtomicInteger();
        loop.add(p[0], Events.IN | Events.RDHUP, (fd, ev) -> {
            got.set(ev);
            loop.stop();
        });
        fds.close(p[1]);
        runUntilStopped(LONG);
        assertEquals(Events.IN, got.get(), "a pipe has no RDHUP; HUP is folded into IN: " + Events.toString(got.get()));
    }

    @Test
    void tcpPeerResetGivesInAndOut() {
        int[] t = fds.tcpPair();
        AtomicInteger got = new AtomicInteger();
        loop.add(t[1], Events.IN | Events.OUT, (fd, ev) -> {
            if (ev != Events.OUT) {       // before the reset arrives the socket is simply writable
                got.set(ev);
                loop.stop();
            }
        });
        fds.reset(t[0]);
        runUntilStopped(LONG);
        assertEquals(Events.IN | Events.OUT, got.get(), Events.toString(got.get()));
        NativeException e = assertThrows(NativeException.class, () -> Fds.read(t[1], 10));
        assertEquals(Errno.ECONNRESET, e.errno());
        assertEquals("ECONNRESET", e.errnoName());
    }

    @Test
    void urgentDataGivesPri() {
        int[] t = fds.tcpPair();
        AtomicInteger got = new AtomicInteger();
        loop.add(t[1], Events.PRI, (fd, ev) -> {
            got.set(ev);
            loop.stop();
        });
        Fds.sendUrgent(t[0]);
        runUntilStopped(LONG);
        assertEquals(Events.PRI, got.get(), Events.toString(got.get()));
    }

    @Test
    void peerShutdownDoesNotWakeALoopWaitingForOutOnly() {
        // The peer's FIN sets RDHUP for good. A handler that asked only for OUT must not be
        // woken by it, and the loop must sleep until OUT comes, not spin.
        int[] s = fds.socketpair();
        try (Arena a = Arena.ofShared()) {
            MemorySegment buf = a.allocate(65536);
            while (Unistd.write(s[0], buf, buf.byteSize()) > 0) {
                // fill s[0]'s send buffer: not writable
            }
            assertEquals(0, Socket.shutdown(s[1], Socket.SHUT_WR));
            List<Integer> seen = new ArrayList<>();
            loop.add(s[0], Events.OUT, (fd, ev) -> {
                seen.add(ev);
                loop.stop();
            });
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long before = loop.stats().iterations();
            long cpuBefore = mx.getCurrentThreadCpuTime();
            loop.after(Duration.ofMillis(100), () -> {
                while (Unistd.read(s[1], buf, buf.byteSize()) > 0) {
                    // the peer reads everything: s[0] becomes writable
                }
            });
            runUntilStopped(LONG);
            long cpuMs = (mx.getCurrentThreadCpuTime() - cpuBefore) / 1_000_000;
            assertEquals(List.of(Events.OUT), seen);
            long iterations = loop.stats().iterations() - before;
            assertTrue(iterations < 10, iterations + " iterations: the loop spun instead of waiting for OUT");
            assertTrue(cpuMs < 20, "the loop thread used " + cpuMs + " ms of CPU in a 100 ms wait: it spun");
        }
    }

    @Test
    void fdClosedWhileRegisteredDoesNotKillTheLoop() {
        int[] dead = fds.pipe();
        int[] live = fds.pipe();              // opened first, so it cannot take the dead number
        AtomicInteger deadCalls = new AtomicInteger();
        loop.add(dead[0], Events.IN, (fd, ev) -> deadCalls.incrementAndGet());
        fds.close(dead[0]);                   // without remove()
        List<String> seen = new ArrayList<>();
        loop.add(live[0], Events.IN, (fd, ev) -> {
            seen.add("io");
            Fds.read(fd, 10);
            loop.stop();
        });
        loop.after(Duration.ofMillis(20), () -> {
            seen.add("timer");
            Fds.write(live[1], new byte[] {1});
        });
        runUntilStopped(LONG);
        assertEquals(List.of("timer", "io"), seen);
        assertEquals(0, deadCalls.get());
        loop.remove(dead[0]);                 // quiet even though the fd is gone
        assertFalse(loop.isRegistered(dead[0]));
    }

    @Test
    void addingAClosedFdFailsWithTheCallAndErrno() {
        int[] p = fds.pipe();
        fds.close(p[0]);
        NativeException e = assertThrows(NativeException.class, () -> loop.add(p[0], Events.IN, (fd, ev) -> { }));
        assertEquals(Errno.EBADF, e.errno());
        assertTrue(e.getMessage().endsWith("fd=" + p[0] + "): EBADF (Bad file descriptor)"), e.getMessage());
        assertFalse(loop.isRegistered(p[0]));
    }

    @Test
    void aHugeFdThatWasNeverOpenedFailsFastWithEbadf() {
        // The kernel is asked before any table grows: growing to fd + 1 first took seconds and GiBs.
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int fd : new int[] {200_000_000, Integer.MAX_VALUE - 1, Integer.MAX_VALUE}) {
            long before = mx.getCurrentThreadAllocatedBytes();
            NativeException e = assertThrows(NativeException.class, () -> loop.add(fd, Events.IN, (f, ev) -> { }),
                    "add(" + fd + ")");
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertEquals(Errno.EBADF, e.errno(), e.getMessage());
            assertTrue(e.getMessage().contains("fd=" + fd), e.getMessage());
            assertTrue(allocated < 1024 * 1024, "add(" + fd + ") allocated " + allocated + " bytes before failing");
            assertFalse(loop.isRegistered(fd));
            assertEquals(0, loop.interest(fd));
        }
        loop.remove(Integer.MAX_VALUE);       // not registered: quiet, as for any fd
    }

    @Test
    void aClosedLoopRefusesEveryChangeWithTheSameException() {
        int[] p = fds.pipe();
        loop.add(p[0], Events.IN, (fd, ev) -> { });
        loop.close();
        String name = "EventLoop[" + backend().id();
        List<org.junit.jupiter.api.function.Executable> calls = List.of(
                () -> loop.add(p[1], Events.OUT, (fd, ev) -> { }),
                () -> loop.modify(p[0], Events.OUT),
                () -> loop.remove(p[0]),
                () -> loop.after(Duration.ofMillis(1), () -> { }),
                () -> loop.every(Duration.ofMillis(1), () -> { }),
                () -> loop.every(Duration.ZERO, Duration.ofMillis(1), () -> { }),
                () -> loop.repeatAfter(Duration.ZERO, Duration.ofMillis(1), () -> { }),
                loop::run);
        for (org.junit.jupiter.api.function.Executable call : calls) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call);
            assertTrue(e.getMessage().contains(name) && e.getMessage().endsWith("is closed"), e.getMessage());
        }
        assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> loop.execute(() -> { }));
        loop.close();                          // still idempotent
    }

    // ------------------------------------------------------------ timers

    @Test
    void timersRunInDeadlineOrder() {
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        loop.after(Duration.ofMillis(30), () -> order.add(30));
        loop.after(Duration.ofMillis(10), () -> order.add(10));
        loop.after(Duration.ofMillis(20), () -> order.add(20));
        loop.after(Duration.ofMillis(40), loop::stop);
        runUntilStopped(LONG);
        assertEquals(List.of(10, 20, 30), order);
    }

    @Test
    void timersDueTogetherRunFirstInFirstOut() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            loop.after(Duration.ZERO, () -> order.add(n));
        }
        loop.after(Duration.ofMillis(5), loop::stop);
        runUntilStopped(LONG);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add(i);
        }
        assertEquals(expected, order);
    }

    @Test
    void timerNeverFiresEarly() {
        long start = System.nanoTime();
        AtomicReference<Long> firedAfter = new AtomicReference<>();
        loop.after(Duration.ofMillis(25), () -> {
            firedAfter.set(System.nanoTime() - start);
            loop.stop();
        });
        runUntilStopped(LONG);
        assertTrue(firedAfter.get() >= 25_000_000L, "fired after " + firedAfter.get() + " ns");
    }

    @Test
    void cancelledTimerDoesNotRun() {
        AtomicInteger ran = new AtomicInteger();
        Timer t = loop.after(Duration.ofMillis(10), ran::incrementAndGet);
        Timer periodic = loop.every(Duration.ofMillis(5), ran::incrementAndGet);
        t.cancel();
        periodic.cancel();
        t.cancel();                                   // twice is fine
        assertTrue(t.isCancelled());
        loop.after(Duration.ofMillis(40), loop::stop);
        runUntilStopped(LONG);
        assertEquals(0, ran.get());
        assertEquals(0, loop.stats().timers());
    }

    @Test
    void periodicTimerCancelsItself() {
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<Timer> self = new AtomicReference<>();
        self.set(loop.every(Duration.ofMillis(2), () -> {
            if (runs.incrementAndGet() == 3) {
                self.get().cancel();
                loop.after(Duration.ofMillis(20), loop::stop);
            }
        }));
        runUntilStopped(LONG);
        assertEquals(3, runs.get());
    }

    @Test
    void cancelFromAnotherThread() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        Timer t = loop.after(Duration.ofMillis(300), ran::incrementAndGet);
        CountDownLatch cancelled = new CountDownLatch(1);
        loop.after(Duration.ofMillis(5), () -> {
            Thread th = new Thread(() -> {
                t.cancel();
                cancelled.countDown();
            });
            th.start();
        });
        loop.after(Duration.ofMillis(400), loop::stop);
        runUntilStopped(LONG);
        assertTrue(cancelled.await(5, TimeUnit.SECONDS));
        assertEquals(0, ran.get());
    }

    @Test
    void fixedRateUnderASlowHandlerSkipsInsteadOfBursting() {
        long period = 10_000_000L;
        List<Long> starts = new ArrayList<>();
        long t0 = System.nanoTime();
        loop.every(Duration.ofNanos(period), Duration.ofNanos(period), () -> {
            starts.add(System.nanoTime() - t0);
            if (starts.size() == 1) {
                sleep(55);                             // misses five ticks
            }
            if (starts.size() == 4) {
                loop.stop();
            }
        });
        runUntilStopped(LONG);
        // A burst would run the missed ticks back to back, several in one period; skipping
        // runs each tick at most once, so no two runs share a period of the grid. (Gaps
        // between runs are not compared: on a loaded machine a tick may run late and the
        // next one on time.)
        for (int i = 1; i < starts.size(); i++) {
            long slot = starts.get(i) / period;
            long before = starts.get(i - 1) / period;
            assertTrue(slot > before, "runs " + (i - 1) + " and " + i + " fell in the same period (a burst): " + starts);
        }
        // After the slow run the ticks stay on the original grid (t0 + k * period), never early.
        long second = starts.get(1);
        assertTrue(second >= 6 * period, "second run at " + second + " ns, before the next tick");
    }

    @Test
    void fixedDelayWaitsAfterEachRun() {
        long delay = 10_000_000L;
        List<long[]> runs = new ArrayList<>();
        loop.repeatAfter(Duration.ZERO, Duration.ofNanos(delay), () -> {
            long start = System.nanoTime();
            sleep(5);
            runs.add(new long[] {start, System.nanoTime()});
            if (runs.size() == 3) {
                loop.stop();
            }
        });
        runUntilStopped(LONG);
        for (int i = 1; i < runs.size(); i++) {
            long pause = runs.get(i)[0] - runs.get(i - 1)[1];
            assertTrue(pause >= delay, "pause " + pause + " ns between run end and next start");
        }
    }

    @Test
    void timerArgumentsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> loop.every(Duration.ZERO, () -> { }));
        assertThrows(IllegalArgumentException.class, () -> loop.after(Duration.ofMillis(-1), () -> { }));
        assertThrows(NullPointerException.class, () -> loop.after(Duration.ZERO, null));
    }

    // ------------------------------------------------------------ tasks, stop, errors

    @Test
    void executeFromEightThreadsWakesALongPollPromptly() throws Exception {
        int threads = 8;
        int perThread = 500;
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch allRan = new CountDownLatch(threads * perThread);
        loop.after(Duration.ofSeconds(10), () -> { });   // the loop waits up to 10 s in the kernel
        Thread runner = new Thread(loop::run, "loop");
        runner.start();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> producers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread p = new Thread(() -> {
                awaitQuietly(go);
                for (int j = 0; j < perThread; j++) {
                    loop.execute(() -> {
                        assertTrue(loop.inEventLoop());
                        ran.incrementAndGet();
                        allRan.countDown();
                    });
                }
            });
            p.start();
            producers.add(p);
        }
        CountDownLatch entered = new CountDownLatch(1);
        loop.execute(entered::countDown);
        assertTrue(entered.await(5, TimeUnit.SECONDS));
        while (loop.stats().iterations() == 0) {
            Thread.onSpinWait();   // that iteration is over: the next one waits in the kernel for 10 s
        }
        long start = System.nanoTime();
        go.countDown();
        assertTrue(allRan.await(5, TimeUnit.SECONDS), "only " + ran.get() + " tasks ran");
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs < 5_000, "tasks took " + elapsedMs + " ms: the 10 s poll was not woken");
        loop.stop();
        runner.join(5_000);
        assertFalse(runner.isAlive());
        for (Thread p : producers) {
            p.join();
        }
        assertEquals(threads * perThread, ran.get());
        assertEquals(threads * perThread + 1, loop.stats().tasksRun());
    }

    @Test
    void stopFromAnotherThreadEndsAnInfiniteWait() throws Exception {
        Thread runner = new Thread(loop::run, "loop");
        runner.start();
        CountDownLatch entered = new CountDownLatch(1);
        loop.execute(entered::countDown);
        assertTrue(entered.await(5, TimeUnit.SECONDS));
        loop.stop();
        runner.join(5_000);
        assertFalse(runner.isAlive(), "run() did not return after stop()");
    }

    @Test
    void closeFromAnotherThreadWhileRunning() throws Exception {
        Thread runner = new Thread(loop::run, "loop");
        runner.start();
        CountDownLatch entered = new CountDownLatch(1);
        loop.execute(entered::countDown);
        assertTrue(entered.await(5, TimeUnit.SECONDS));
        loop.close();
        runner.join(5_000);
        assertFalse(runner.isAlive());
        assertTrue(loop.isClosed());
        assertThrows(java.util.concurrent.RejectedExecutionException.class, () -> loop.execute(() -> { }));
    }

    @Test
    void throwingHandlerTaskAndTimerAreLoggedAndTheLoopGoesOn() {
        int[] p = fds.pipe();
        Fds.write(p[1], new byte[] {1});
        AtomicInteger handlerCalls = new AtomicInteger();
        loop.add(p[0], Events.IN, (fd, ev) -> {
            if (handlerCalls.incrementAndGet() == 1) {
                throw new java.io.IOException("boom from a handler (expected by the test)");
            }
            Fds.read(fd, 10);
        });
        loop.execute(() -> {
            throw new IllegalStateException("boom from a task (expected by the test)");
        });
        loop.after(Duration.ZERO, () -> {
            throw new IllegalStateException("boom from a timer (expected by the test)");
        });
        AtomicBoolean after = new AtomicBoolean();
        loop.after(Duration.ofMillis(20), () -> {
            after.set(true);
            loop.stop();
        });
        List<java.util.logging.LogRecord> logged = LogCapture.capture("uloop.EventLoop", java.util.logging.Level.INFO,
                () -> runUntilStopped(LONG));
        assertTrue(after.get());
        assertEquals(3, logged.size(), logged.toString());
        assertTrue(logged.stream().allMatch(r -> r.getLevel() == java.util.logging.Level.SEVERE
                && r.getThrown().getMessage().startsWith("boom from a")));
        assertEquals(2, handlerCalls.get(), "level-triggered: called again after the throw, then drained");
    }

    @Test
    void aHandlerThatAlwaysThrowsLogsOneStackTracePerInterval() {
        // Level-triggered and never drained: called on every iteration, throwing every time.
        int[] p = fds.pipe();
        Fds.write(p[1], new byte[] {1});
        AtomicInteger calls = new AtomicInteger();
        loop.add(p[0], Events.IN, (fd, ev) -> {
            if (calls.incrementAndGet() == 200) {
                loop.stop();
            }
            throw new IllegalStateException("boom " + calls.get() + " (expected by the test)");
        });
        List<java.util.logging.LogRecord> logged = LogCapture.capture("uloop.EventLoop", java.util.logging.Level.INFO,
                () -> runUntilStopped(LONG));
        assertEquals(200, calls.get(), "the loop went on calling the handler");
        assertEquals(1, logged.size(), () -> logged.size() + " records for one failure repeated within 10 s");
        assertEquals("boom 1 (expected by the test)", logged.get(0).getThrown().getMessage());
    }

    @Test
    void registrationErrors() {
        int[] p = fds.pipe();
        loop.add(p[0], Events.IN, (fd, ev) -> { });
        assertThrows(IllegalStateException.class, () -> loop.add(p[0], Events.IN, (fd, ev) -> { }));
        assertThrows(IllegalArgumentException.class, () -> loop.add(p[1], Events.HUP, (fd, ev) -> { }));
        assertThrows(IllegalArgumentException.class, () -> loop.add(-1, Events.IN, (fd, ev) -> { }));
        assertThrows(IllegalStateException.class, () -> loop.modify(p[1], Events.IN));
        assertFalse(loop.isRegistered(p[1]));
    }

    @Test
    void addFromAnotherThreadWhileRunningIsRefused() throws Exception {
        int[] p = fds.pipe();
        Thread runner = new Thread(loop::run, "loop");
        runner.start();
        CountDownLatch entered = new CountDownLatch(1);
        loop.execute(entered::countDown);
        assertTrue(entered.await(5, TimeUnit.SECONDS));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> loop.add(p[0], Events.IN, (fd, ev) -> { }));
        assertTrue(e.getMessage().contains("execute()"), e.getMessage());
        CountDownLatch added = new CountDownLatch(1);
        loop.execute(() -> {
            loop.add(p[0], Events.IN, (fd, ev) -> { });
            added.countDown();
        });
        assertTrue(added.await(5, TimeUnit.SECONDS));
        loop.stop();
        runner.join(5_000);
        assertTrue(loop.isRegistered(p[0]));
    }

    @Test
    void statsCountWhatHappened() {
        int[] p = fds.pipe();
        AtomicInteger calls = new AtomicInteger();
        loop.add(p[0], Events.IN, (fd, ev) -> {
            Fds.read(fd, 10);
            if (calls.incrementAndGet() == 3) {
                loop.stop();
            } else {
                Fds.write(p[1], new byte[] {1});
            }
        });
        Fds.write(p[1], new byte[] {1});
        runUntilStopped(LONG);
        LoopStats s = loop.stats();
        assertEquals(backend().id(), s.backend());
        assertEquals(3, s.eventsDispatched());
        assertTrue(s.iterations() >= 3, s.toString());
        assertEquals(1, s.registeredFds());
        assertTrue(s.waitNanos() >= 0 && s.busyNanos() > 0, s.toString());
    }

    // ------------------------------------------------------------ allocation

    @Test
    @Tag("allocation")
    void noAllocationPerEventInSteadyState() throws Exception {
        DirectCalls.assumeOrEscapeAnalysis();
        // Every iteration: one kernel wait, one handler call, two interest changes. The
        // counter is read at several windows after a warm-up and the quietest one counts (a
        // deoptimization allocates once); the build runs this again without escape analysis.
        int[] s = fds.socketpair();
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int warmup = 100_000;
        int window = 20_000;
        int windows = 10;
        long[] marks = new long[windows + 1];
        AtomicInteger calls = new AtomicInteger();
        loop.add(s[0], Events.OUT, (fd, ev) -> {
            int n = calls.incrementAndGet();
            loop.modify(fd, Events.OUT | Events.IN);
            loop.modify(fd, Events.OUT);
            if (n >= warmup && (n - warmup) % window == 0) {
                int k = (n - warmup) / window;
                marks[k] = mx.getCurrentThreadAllocatedBytes();
                if (k == windows) {
                    loop.stop();
                }
            }
        });
        runUntilStopped(LONG);
        long quietest = Long.MAX_VALUE;
        for (int k = 0; k < windows; k++) {
            quietest = Math.min(quietest, marks[k + 1] - marks[k]);
        }
        // One 16-byte object per event would be 320 KB per window.
        assertTrue(quietest < 4 * 1024, quietest + " bytes allocated on the loop thread in the quietest window of "
                + window + " events; windows: " + java.util.Arrays.toString(marks));
    }

    // ------------------------------------------------------------ scale

    @Test
    void thousandsOfDescriptorsIncludingNumbersAbove1024() {
        int pipes = 1500;                 // 3000 descriptors: numbers well past FD_SETSIZE
        int[][] all = new int[pipes][];
        List<Integer> seen = new ArrayList<>();
        int[] expectedCount = new int[1];
        for (int i = 0; i < pipes; i++) {
            all[i] = fds.pipe();
            loop.add(all[i][0], Events.IN, (fd, ev) -> {
                seen.add(fd);
                Fds.read(fd, 10);
                if (seen.size() == expectedCount[0]) {
                    loop.stop();
                }
            });
        }
        assertTrue(all[pipes - 1][0] > 1024, "highest fd " + all[pipes - 1][0]);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < pipes; i += 7) {
            Fds.write(all[i][1], new byte[] {1});
            expected.add(all[i][0]);
        }
        Fds.write(all[pipes - 1][1], new byte[] {1});
        expected.add(all[pipes - 1][0]);
        expectedCount[0] = expected.size();
        runUntilStopped(LONG);
        pollOnce();                       // nothing else is ready
        Collections.sort(seen);
        assertEquals(expected, seen);
        assertEquals(pipes, loop.stats().registeredFds());
        for (int[] p : all) {
            loop.remove(p[0]);
        }
        assertEquals(0, loop.stats().registeredFds());
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void awaitQuietly(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
