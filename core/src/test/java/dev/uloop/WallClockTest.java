package dev.uloop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class WallClockTest {
    private static long instantNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Test
    void agreesWithTheJdkClock() {
        long a = instantNanos();
        long w = WallClock.nanos();
        long b = instantNanos();
        // Instant.now() may be truncated to microseconds: allow one microsecond below a.
        assertTrue(a - 1_000 <= w && w <= b + 1_000, a + " <= " + w + " <= " + b);
    }

    @Test
    void reportsAResolution() {
        long r = WallClock.resolutionNanos();
        assertTrue(r >= 1 && r <= 10_000_000, "resolution " + r + " ns");
    }
}
