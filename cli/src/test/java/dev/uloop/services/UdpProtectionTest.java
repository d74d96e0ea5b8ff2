package dev.uloop.services;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The UDP guard inside running servers: loop protection and the per-source rate limit. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdpProtectionTest {

    /** A UDP socket on a service port; needs root (or CAP_NET_BIND_SERVICE), else the test is skipped. */
    private static DatagramSocket bindServicePort() {
        for (int port : new int[] {7, 13, 37}) {
            try {
                return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (IOException e) {
                // privileged or taken: try the next
            }
        }
        assumeTrue(false, "cannot bind UDP ports 7, 13 or 37 here (not root?); skipping the source-port check");
        return null;
    }

    private static void awaitCount(java.util.function.LongSupplier count, long expected) throws InterruptedException {
        for (int i = 0; i < 200 && count.getAsLong() < expected; i++) {
            Thread.sleep(10);
        }
        assertEquals(expected, count.getAsLong());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void datagramsFromServicePortsAreNeverAnswered(Mode mode) throws Exception {
        try (Server server = mode.start(ServiceConfig.of(Service.ECHO).withProtocols(false, true));
             DatagramSocket evil = bindServicePort()) {
            Peer.send(evil, server.udpAddress(), "loop?".getBytes());
            awaitCount(server.guard()::loopDrops, 1);
            assertNull(Peer.receive(evil, 300), "a datagram from port " + evil.getLocalPort() + " was answered");
            // An ordinary source still gets its echo.
            assertArrayEquals("ok".getBytes(), Peer.udpAsk(server.udpAddress(), "ok".getBytes()));
            assertEquals(1, server.guard().loopDrops());
            assertTrue(server.summary().contains("1 dropped (1 loop, 0 rate)"), server.summary());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aSourceOverTheRateLimitIsDroppedAndCounted(Mode mode) throws Exception {
        try (Server server = mode.start(ServiceConfig.of(Service.TIME).withRateLimit(3));
             DatagramSocket client = Peer.udp()) {
            for (int i = 0; i < 10; i++) {
                Peer.send(client, server.udpAddress(), new byte[] {(byte) i});
            }
            int answers = 0;
            while (Peer.receive(client, 300) != null) {
                answers++;
            }
            // A burst of 3, plus at most one token refilled while the 10 went out.
            assertTrue(answers >= 3 && answers <= 4, answers + " answers");
            assertEquals(10 - answers, server.guard().rateDrops());
            // The bucket refills at 3 a second.
            Thread.sleep(1100);
            assertNotNull(Peer.udpAsk(server.udpAddress(), new byte[0]));
            assertEquals(0, server.guard().loopDrops());
        }
    }
}
