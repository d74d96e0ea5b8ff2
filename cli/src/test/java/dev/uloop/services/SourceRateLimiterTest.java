package dev.uloop.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The per-network rate limit holds against the attack that defeated the per-address one: a
 * heavy source stays within its limit while a flood of one-packet sources from ever new
 * networks fills the table, because the table forgets the networks seen least recently
 * and never resets.
 */
class SourceRateLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private static InetAddress v4(int a, int b, int c, int d) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    }

    @Test
    void aHeavySourceStaysLimitedWhileAFloodOfNewNetworksFillsTheTable() throws Exception {
        SourceRateLimiter l = new SourceRateLimiter(5, now::get);
        InetAddress heavy = v4(198, 51, 100, 7);
        int answered = 0;
        int flood = 0;
        for (int tick = 0; tick < 800; tick++) {             // 8 s, one request every 10 ms
            if (l.tryAcquire(heavy)) {
                answered++;
            }
            for (int i = 0; i < 300; i++, flood++) {         // 30,000 new networks a second
                assertTrue(l.tryAcquire(v4(10 + (flood >> 16 & 0x7F), flood >> 8, flood, 1)),
                        "a network seen for the first time has a full bucket");
            }
            assertTrue(l.trackedSources() <= SourceRateLimiter.MAX_SOURCES);
            now.addAndGet(10_000_000L);
        }
        // A burst of 5, then 5 a second for 8 s: 45 at most (the old table, reset when full, gave hundreds).
        assertTrue(answered <= 5 + 5 * 8, answered + " answers to the heavy source");
        assertTrue(answered >= 5 * 8, answered + " answers: the limit must not starve it either");
    }

    @Test
    void theLeastRecentlySeenNetworkIsForgottenFirst() throws Exception {
        SourceRateLimiter l = new SourceRateLimiter(1, 24, 56, 3, now::get);
        InetAddress a = v4(192, 0, 2, 1);
        InetAddress b = v4(192, 0, 3, 1);
        InetAddress c = v4(192, 0, 4, 1);
        assertTrue(l.tryAcquire(a));
        assertTrue(l.tryAcquire(b));
        assertTrue(l.tryAcquire(c));
        assertFalse(l.tryAcquire(a), "a is remembered, its bucket empty (and a is now the newest)");
        assertTrue(l.tryAcquire(v4(192, 0, 5, 1)), "a fourth network: b, the oldest, is forgotten");
        assertEquals(3, l.trackedSources());
        assertFalse(l.tryAcquire(a), "a was not forgotten");
        assertFalse(l.tryAcquire(c), "c was not forgotten");
        assertTrue(l.tryAcquire(b), "b comes back with a full bucket");
    }

    @Test
    void prefixesAreConfigurable() throws Exception {
        SourceRateLimiter perAddress = new SourceRateLimiter(1, 32, 128, 16, now::get);
        assertTrue(perAddress.tryAcquire(v4(192, 0, 2, 1)));
        assertTrue(perAddress.tryAcquire(v4(192, 0, 2, 2)), "/32: each address its own bucket");
        assertTrue(perAddress.tryAcquire(InetAddress.getByName("2001:db8::1")));
        assertTrue(perAddress.tryAcquire(InetAddress.getByName("2001:db8::2")), "/128");
        SourceRateLimiter wide = new SourceRateLimiter(1, 16, 48, 16, now::get);
        assertTrue(wide.tryAcquire(v4(192, 0, 2, 1)));
        assertFalse(wide.tryAcquire(v4(192, 0, 200, 1)), "/16: one bucket");
        assertTrue(wide.tryAcquire(InetAddress.getByName("2001:db8:1::1")));
        assertFalse(wide.tryAcquire(InetAddress.getByName("2001:db8:1:ffff::1")), "/48: one bucket");
        assertThrows(IllegalArgumentException.class, () -> new SourceRateLimiter(1, 0, 56, 16, now::get));
        assertThrows(IllegalArgumentException.class, () -> new SourceRateLimiter(1, 24, 129, 16, now::get));
    }

    @Test
    void refillsAtTheRateUpToABurst() throws Exception {
        SourceRateLimiter l = new SourceRateLimiter(5, now::get);
        InetAddress a = v4(192, 0, 2, 1);
        for (int i = 0; i < 5; i++) {
            assertTrue(l.tryAcquire(a));
        }
        assertFalse(l.tryAcquire(a));
        now.addAndGet(199_000_000L);
        assertFalse(l.tryAcquire(a));
        now.addAndGet(1_000_000L);
        assertTrue(l.tryAcquire(a), "one token each 1/5 s");
        now.addAndGet(60_000_000_000L);
        for (int i = 0; i < 5; i++) {
            assertTrue(l.tryAcquire(a), "at most a burst after a long pause: " + i);
        }
        assertFalse(l.tryAcquire(a));
    }
}
