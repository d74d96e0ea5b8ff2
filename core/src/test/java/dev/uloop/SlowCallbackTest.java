package dev.uloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Slow-callback warnings and the JFR events: recorded in this process and read back. */
@Timeout(30)
class SlowCallbackTest {
    @TempDir
    Path dir;

    @Test
    void aHandlerThatSleeps200MsGivesOneWarningAndOneJfrEvent() throws Exception {
        List<RecordedEvent> events;
        List<LogRecord> logged;
        int[] slowFd = new int[1];
        try (Recording r = new Recording(); Fds fds = new Fds()) {
            r.enable("dev.uloop.SlowCallback").withStackTrace();
            r.enable("dev.uloop.LoopStatistics").withPeriod(Duration.ofMillis(100));
            r.start();
            logged = LogCapture.capture("uloop.EventLoop", Level.INFO, () -> {
                try (LoopThread lt = new LoopThread(Backend.best())) {
                    EventLoop loop = lt.loop().slowCallbackThreshold(Duration.ofMillis(100));
                    int[] p = fds.pipe();
                    slowFd[0] = p[0];
                    CountDownLatch done = new CountDownLatch(1);
                    lt.run(() -> loop.add(p[0], Events.IN, new SleepyHandler(done)));
                    Fds.write(p[1], new byte[] {1});
                    assertTrue(done.await(10, TimeUnit.SECONDS));
                    for (int i = 0; i < 100; i++) {
                        lt.run(() -> { });          // quick callbacks: no warning
                    }
                    LoopStats s = LoopStatsTest.awaitStats(loop, x -> x.slowCallbacks() >= 1);
                    assertEquals(1, s.slowCallbacks());
                    lt.run(() -> loop.remove(p[0]));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            r.stop();
            Path file = dir.resolve("loop.jfr");
            r.dump(file);
            events = RecordingFile.readAllEvents(file);
        }
        List<LogRecord> warnings = logged.stream().filter(x -> x.getLevel() == Level.WARNING).toList();
        assertEquals(1, warnings.size(), warnings.toString());
        String w = warnings.get(0).getMessage();
        assertTrue(w.contains("slow handler " + SleepyHandler.class.getName() + " for fd " + slowFd[0]), w);
        assertTrue(w.contains(Backend.best().id()) && w.matches(".* for 2\\d\\d ms .*"), w);

        List<RecordedEvent> slow = events.stream()
                .filter(e -> e.getEventType().getName().equals("dev.uloop.SlowCallback")).toList();
        assertEquals(1, slow.size(), slow.toString());
        RecordedEvent e = slow.get(0);
        assertEquals("handler", e.getString("kind"));
        assertEquals(SleepyHandler.class.getName(), e.getString("callback"));
        assertEquals(slowFd[0], e.getInt("fd"));
        assertTrue(e.getDuration("held").toMillis() >= 200, e.toString());
        assertTrue(e.getStackTrace().getFrames().stream()
                .anyMatch(f -> f.getMethod().getType().getName().equals(Phases.class.getName())), e.toString());

        assertTrue(events.stream().anyMatch(x -> x.getEventType().getName().equals("dev.uloop.LoopStatistics")
                && x.getLong("iterations") > 0), "no loop statistics event");
    }

    @Test
    void offByDefaultAndNegativeThresholdsRefused() throws Exception {
        try (LoopThread lt = new LoopThread(Backend.best())) {
            List<LogRecord> logged = LogCapture.capture("uloop.EventLoop", Level.INFO,
                    () -> lt.run(() -> LoopStatsTest.sleep(150)));
            assertEquals(List.of(), logged);
            assertEquals(0, lt.loop().stats().slowCallbacks());
            assertThrows(IllegalArgumentException.class, () -> lt.loop().slowCallbackThreshold(Duration.ofMillis(-1)));
        }
    }

    /** Sleeps 200 ms the first time, then drains the pipe. */
    private static final class SleepyHandler implements Handler {
        private final CountDownLatch done;

        SleepyHandler(CountDownLatch done) {
            this.done = done;
        }

        @Override
        public void onEvents(int fd, int events) {
            LoopStatsTest.sleep(200);
            Fds.read(fd, 10);
            done.countDown();
        }
    }
}
