package dev.uloop.internal.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LagHistogramTest {
    private static final long W = 1_000_000_000L;

    @Test
    void bucketsCoverEveryValueInOrder() {
        int last = -1;
        for (long v = 0; v < 100_000; v++) {
            int i = LagHistogram.index(v);
            assertTrue(i == last || i == last + 1, "bucket of " + v);
            assertTrue(v <= LagHistogram.upperBound(i), v + " above its bucket's bound");
            if (i > 0) {
                assertTrue(v > LagHistogram.upperBound(i - 1), v + " in a bucket too high");
            }
            last = i;
        }
        assertEquals(LagHistogram.BUCKETS - 1, LagHistogram.index(Long.MAX_VALUE));
        assertEquals(Long.MAX_VALUE, LagHistogram.upperBound(LagHistogram.BUCKETS - 1));
        assertEquals(0, LagHistogram.index(-5));
    }

    @Test
    void quantilesAreWithinAQuarterOfTheTruth() {
        LagHistogram h = new LagHistogram(0, W);
        for (int i = 1; i <= 1000; i++) {
            h.record(i * 1000L, 1);          // 1 us .. 1 ms
        }
        LagHistogram.Summary s = h.summary(2);
        assertEquals(1000, s.count());
        assertEquals(1_000_000, s.max());
        assertTrue(s.p50() >= 500_000 && s.p50() <= 625_000, "p50 " + s.p50());
        assertTrue(s.p99() >= 990_000 && s.p99() <= 1_000_000, "p99 " + s.p99());
    }

    @Test
    void oldSamplesLeaveAfterTwoWindows() {
        LagHistogram h = new LagHistogram(0, W);
        h.record(7_000_000, 10);
        assertEquals(7_000_000, h.summary(W / 2).max());
        h.record(1_000, W + 1);                               // a new window; the old one still counts
        LagHistogram.Summary s = h.summary(W + 2);
        assertEquals(2, s.count());
        assertEquals(7_000_000, s.max());
        assertEquals(1, h.summary(2 * W + 2).count());        // the current window is older than a window
        assertEquals(LagHistogram.Summary.EMPTY, h.summary(3 * W + 2));   // nothing recent
        h.record(5, 10 * W);                                   // long idle: both windows cleared
        assertEquals(1, h.summary(10 * W).count());
        assertEquals(5, h.summary(10 * W).max());
    }
}
