package dev.uloop.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.services.UdpGuard.Verdict;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The UDP guard on a fake clock. */
class UdpGuardTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private static InetSocketAddress from(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    private void advanceMillis(long ms) {
        now.addAndGet(ms * 1_000_000L);
    }

    @Test
    void serviceSourcePortsAreDroppedAndCounted() throws Exception {
        UdpGuard g = new UdpGuard(0, now::get);
        for (int port : new int[] {7, 13, 19, 37, 123, 0}) {
            assertEquals(Verdict.LOOP_PORT, g.check(from("192.0.2.1", port)), "port " + port);
        }
        assertFalse(g.allow(from("192.0.2.1", 7)));
        assertEquals(7, g.loopDrops());
        for (int port : new int[] {1, 8, 53, 1024, 7007, 65535}) {
            assertTrue(g.allow(from("192.0.2.1", port)), "port " + port);
        }
        assertEquals(0, g.rateDrops());
        assertEquals(0, g.trackedSources(), "no limit, no state");
    }

    @Test
    void withoutALimitEveryOtherDatagramIsAnswered() throws Exception {
        UdpGuard g = new UdpGuard(0, now::get);
        for (int i = 0; i < 10_000; i++) {
            assertTrue(g.allow(from("192.0.2.1", 5000)));
        }
        assertEquals(0, g.rateDrops());
    }

    @Test
    void aSourceGetsABurstOfNThenNASecond() throws Exception {
        UdpGuard g = new UdpGuard(5, now::get);
        InetSocketAddress a = from("192.0.2.1", 40000);
        for (int i = 0; i < 5; i++) {
            assertTrue(g.allow(a), "burst " + i);
        }
        assertEquals(Verdict.RATE_LIMITED, g.check(a));
        assertFalse(g.allow(a));
        assertEquals(2, g.rateDrops());
        advanceMillis(199);
        assertFalse(g.allow(a), "less than 1/5 s: no new token");
        advanceMillis(1);
        assertTrue(g.allow(a), "one token after 1/5 s");
        assertFalse(g.allow(a));
        advanceMillis(10_000);
        for (int i = 0; i < 5; i++) {
            assertTrue(g.allow(a), "refilled, but only up to the burst: " + i);
        }
        assertFalse(g.allow(a));
    }

    @Test
    void theLimitIsPerSourceNetworkNotPerAddressOrPort() throws Exception {
        UdpGuard g = new UdpGuard(1, now::get);
        assertTrue(g.allow(from("192.0.2.1", 40000)));
        assertFalse(g.allow(from("192.0.2.1", 40001)), "same address, other port: same bucket");
        assertFalse(g.allow(from("192.0.2.2", 40000)), "another address of the same /24: same bucket");
        assertTrue(g.allow(from("192.0.3.1", 40000)), "another /24 has its own bucket");
        assertTrue(g.allow(from("2001:db8::1", 40000)));
        assertFalse(g.allow(from("2001:db8:0:ff::1", 40000)), "the same IPv6 /56");
        assertTrue(g.allow(from("2001:db8:0:100::1", 40000)), "another /56");
        assertEquals(4, g.trackedSources());
    }

    @Test
    void loopProtectionComesFirstAndTakesNoToken() throws Exception {
        UdpGuard g = new UdpGuard(1, now::get);
        assertFalse(g.allow(from("192.0.2.1", 37)));
        assertTrue(g.allow(from("192.0.2.1", 40000)), "the dropped datagram did not use the token");
        assertEquals(1, g.loopDrops());
        assertEquals(0, g.rateDrops());
    }

    @Test
    void memoryStaysBoundedUnderManySources() throws Exception {
        UdpGuard g = new UdpGuard(10, now::get);
        byte[] ip = {10, 0, 0, 0};
        for (int i = 0; i < 3 * UdpGuard.MAX_SOURCES; i++) {
            ip[0] = (byte) (10 + (i >> 16));               // a new /24 each time
            ip[1] = (byte) (i >> 8);
            ip[2] = (byte) i;
            assertTrue(g.allow(new InetSocketAddress(InetAddress.getByAddress(ip), 40000)));
            assertTrue(g.trackedSources() <= UdpGuard.MAX_SOURCES);
            if (i % 1000 == 0) {
                advanceMillis(2000);   // earlier sources have refilled: they can be forgotten
            }
        }
    }

    @Test
    void aNegativeRateIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new UdpGuard(-1));
    }
}
