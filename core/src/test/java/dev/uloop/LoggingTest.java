package dev.uloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Failures are logged under uloop.EventLoop; per-event lines appear at DEBUG (JUL FINE) only. */
@Timeout(30)
class LoggingTest {
    @Test
    void aThrowingTaskIsLoggedWithItsCause() {
        Logger jul = Logger.getLogger("uloop.EventLoop");
        List<LogRecord> records = LogCapture.capture(jul, Level.INFO, () -> {
            try (EventLoop loop = EventLoop.open()) {
                loop.execute(() -> {
                    throw new IllegalStateException("task failure");
                });
                loop.after(Duration.ofMillis(1), loop::stop);
                loop.run();
            }
        });
        assertEquals(1, records.size(), records.toString());
        LogRecord r = records.get(0);
        assertEquals(Level.SEVERE, r.getLevel());
        assertEquals("task failure", r.getThrown().getMessage());
    }

    @Test
    void perEventLinesOnlyAtDebug() {
        Logger jul = Logger.getLogger("uloop.EventLoop");
        Runnable oneEvent = () -> {
            try (EventLoop loop = EventLoop.open(); Fds fds = new Fds()) {
                int[] p = fds.pipe();
                Fds.write(p[1], new byte[] {1});
                loop.add(p[0], Events.IN, (fd, ev) -> loop.stop());
                loop.run();
                loop.remove(p[0]);
            }
        };
        assertEquals(0, LogCapture.capture(jul, Level.INFO, oneEvent).size());
        List<LogRecord> debug = LogCapture.capture(jul, Level.FINE, oneEvent);
        assertTrue(debug.stream().anyMatch(r -> r.getMessage().startsWith("event fd=")), debug.toString());
    }
}
