package dev.uloop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.LogCapture;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
    private static final String NAME = "uloop.test.LogThrottle";
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(42 * SECOND);
    private final LogThrottle throttle = new LogThrottle(System.getLogger(NAME), Duration.ofSeconds(10), now::get);

    @Test
    void theFirstIsLoggedTheRestOfTheIntervalCountedAndReportedWithTheNext() {
        List<LogRecord> logged = LogCapture.capture(NAME, java.util.logging.Level.INFO, () -> {
            assertTrue(throttle.log(Level.WARNING, "emfile", "out of descriptors 1"));
            for (int i = 2; i <= 79; i++) {
                now.addAndGet(100_000_000L);
                assertFalse(throttle.log(Level.WARNING, "emfile", "out of descriptors " + i));
            }
            now.addAndGet(3 * SECOND);   // 10.8 s after the first
            assertTrue(throttle.log(Level.WARNING, "emfile", "out of descriptors 80"));
            assertFalse(throttle.log(Level.WARNING, "emfile", "out of descriptors 81"));
        });
        assertEquals(List.of("out of descriptors 1", "out of descriptors 80 (78 more like it in the last 11 s)"),
                logged.stream().map(LogRecord::getMessage).toList());
        assertTrue(logged.stream().allMatch(r -> r.getLevel() == java.util.logging.Level.WARNING));
    }

    @Test
    void distinctKeysAreThrottledApart() {
        List<LogRecord> logged = LogCapture.capture(NAME, java.util.logging.Level.INFO, () -> {
            for (int i = 0; i < 5; i++) {
                throttle.log(Level.WARNING, "a", "a" + i);
                throttle.log(Level.ERROR, "b", "b" + i);
            }
        });
        assertEquals(List.of("a0", "b0"), logged.stream().map(LogRecord::getMessage).toList());
    }

    @Test
    void aStackTraceGoesWithEachLoggedLineOnly() {
        RuntimeException first = new IllegalStateException("first");
        List<LogRecord> logged = LogCapture.capture(NAME, java.util.logging.Level.INFO, () -> {
            throttle.log(Level.ERROR, "f", "handler threw", first);
            throttle.log(Level.ERROR, "f", "handler threw", new IllegalStateException("second"));
        });
        assertEquals(1, logged.size());
        assertSame(first, logged.get(0).getThrown());
    }

    @Test
    void exceptionsFromOnePlaceAreOneFailureWhateverTheirMessage() {
        Throwable[] t = new Throwable[3];
        for (int i = 0; i < 2; i++) {
            t[i] = new IllegalStateException("fd " + i);      // one line: one place
        }
        t[2] = new IllegalStateException("elsewhere");
        assertEquals(LogThrottle.failureKey(t[0]), LogThrottle.failureKey(t[1]));
        assertNotEquals(LogThrottle.failureKey(t[0]), LogThrottle.failureKey(t[2]));
        assertNotEquals(LogThrottle.failureKey(t[0]), LogThrottle.failureKey(new IllegalArgumentException("fd 0")));
    }

    @Test
    void memoryIsBoundedWhateverTheKeys() {
        LogCapture.capture(NAME, java.util.logging.Level.INFO, () -> {
            for (int i = 0; i < 10_000; i++) {
                throttle.log(Level.WARNING, i, "source " + i);
            }
            // The oldest keys were forgotten: key 0 logs again within the interval.
            assertTrue(throttle.log(Level.WARNING, 0, "source 0"));
            assertFalse(throttle.log(Level.WARNING, 9_999, "source 9999"));
        });
    }

    @Test
    void nothingIsCountedWhenTheLevelIsOff() {
        List<LogRecord> logged = LogCapture.capture(NAME, java.util.logging.Level.SEVERE, () -> {
            assertFalse(throttle.log(Level.WARNING, "w", "w"));
            assertTrue(throttle.log(Level.ERROR, "w", "e"));
        });
        assertEquals(List.of("e"), logged.stream().map(LogRecord::getMessage).toList());
    }

    @Test
    void aNonPositiveIntervalIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new LogThrottle(System.getLogger(NAME), Duration.ZERO, now::get));
    }
}
