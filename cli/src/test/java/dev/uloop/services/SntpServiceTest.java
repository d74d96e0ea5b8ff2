package dev.uloop.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.WallClock;
import dev.uloop.sntp.NtpPacket;
import dev.uloop.sntp.NtpTime;
import dev.uloop.sntp.SntpClient;
import dev.uloop.sntp.SntpSettings;
import java.net.DatagramSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code serve sntp} on every backend and blocking: real datagrams, real clock. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SntpServiceTest {
    private static final ServiceConfig SNTP = ServiceConfig.of(Service.SNTP);

    static byte[] request(int length, int version, int mode, long transmit) {
        ByteBuffer b = ByteBuffer.allocate(length);
        if (length > 0) {
            b.put(0, NtpPacket.firstByte(0, version, mode));
        }
        if (length >= 48) {
            b.putLong(NtpPacket.TRANSMIT_TIME, transmit);
        }
        return b.array();
    }

    /** What a server must drop without a word. */
    static List<byte[]> malformed() {
        List<byte[]> bad = new ArrayList<>();
        bad.add(new byte[0]);
        bad.add(new byte[] {(byte) 0xE3});
        bad.add(request(47, 4, 3, 1));
        bad.add(request(50, 4, 3, 1));
        bad.add(request(NtpPacket.MAX_REQUEST + 4, 4, 3, 1));
        bad.add(request(1472, 4, 3, 1));
        for (int version : new int[] {0, 5, 6, 7}) {
            bad.add(request(48, version, 3, 1));
        }
        for (int mode : new int[] {0, 1, 2, 4, 5, 6, 7}) {
            bad.add(request(48, 4, mode, 1));
        }
        byte[] badField = request(48 + 32, 4, 3, 1);
        ByteBuffer.wrap(badField).putShort(48 + 2, (short) 40);     // runs past the end
        bad.add(badField);
        bad.add(request(48 + 12, 4, 3, 1));                           // 12 stray bytes
        return bad;
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void everyVersionGetsAReplyInItsOwnVersion(Mode mode) throws Exception {
        try (Server server = mode.start(SNTP); DatagramSocket c = Peer.udp()) {
            assertNull(server.tcpAddress(), "sntp is UDP only");
            for (int v = 1; v <= 4; v++) {
                long t1Nanos = WallClock.nanos();
                long t1 = NtpTime.fromUnixNanos(t1Nanos);
                Peer.send(c, server.udpAddress(), request(48, v, 3, t1));
                byte[] got = Peer.receive(c, Peer.TIMEOUT_MS);
                long t4Nanos = WallClock.nanos();
                assertNotNull(got, "no reply to version " + v);
                assertEquals(48, got.length);
                ByteBuffer r = ByteBuffer.wrap(got);
                assertEquals(v, NtpPacket.version(r));
                assertEquals(NtpPacket.MODE_SERVER, NtpPacket.mode(r));
                assertEquals(0, NtpPacket.leap(r));
                assertEquals(10, NtpPacket.getByte(r, NtpPacket.STRATUM));
                assertEquals(t1, NtpPacket.getTimestamp(r, NtpPacket.ORIGIN_TIME));
                long t2 = NtpTime.toUnixNanos(NtpPacket.getTimestamp(r, NtpPacket.RECEIVE_TIME), t4Nanos);
                long t3 = NtpTime.toUnixNanos(NtpPacket.getTimestamp(r, NtpPacket.TRANSMIT_TIME), t4Nanos);
                assertTrue(t1Nanos <= t2 && t2 <= t3 && t3 <= t4Nanos,
                        "t1 " + t1Nanos + " <= t2 " + t2 + " <= t3 " + t3 + " <= t4 " + t4Nanos);
            }
        }
    }

    /**
     * Each malformed datagram is followed by a good request from the same socket; the
     * server reads them in order, so the first reply must be the good one's.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void malformedPacketsGetNoReplyAndTheServerStaysUp(Mode mode) throws Exception {
        List<byte[]> bad = malformed();
        try (Server server = mode.start(SNTP); DatagramSocket c = Peer.udp()) {
            for (int i = 0; i < bad.size(); i++) {
                Peer.send(c, server.udpAddress(), bad.get(i));
                long marker = 0x1000 + i;
                Peer.send(c, server.udpAddress(), request(48, 4, 3, marker));
                byte[] got = Peer.receive(c, Peer.TIMEOUT_MS);
                assertNotNull(got, "the server stopped answering after malformed datagram " + i);
                assertEquals(marker, ByteBuffer.wrap(got).getLong(NtpPacket.ORIGIN_TIME),
                        "malformed datagram " + i + " (" + bad.get(i).length + " bytes) was answered");
            }
            // (the answered count is bumped after the send, so it may lag the reply just read)
            assertTrue(server.summary().contains(bad.size() + " dropped (" + bad.size() + " not a valid request, 0 rate)"),
                    server.summary());
        }
    }

    /** NTP servers and classic clients send from port 123; needs root to bind it, else skipped. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void requestsFromPort123AreAnswered(Mode mode) throws Exception {
        DatagramSocket from123;
        try {
            from123 = new DatagramSocket(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 123));
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "cannot bind UDP port 123 here (not root, or taken)");
            return;
        }
        try (Server server = mode.start(SNTP); DatagramSocket c = from123) {
            Peer.send(c, server.udpAddress(), request(48, 4, 3, 123));
            byte[] got = Peer.receive(c, Peer.TIMEOUT_MS);
            assertNotNull(got, "a request from port 123 was not answered");
            assertEquals(123, ByteBuffer.wrap(got).getLong(NtpPacket.ORIGIN_TIME));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aRequestWithAMacGetsAPlainReplyNoLargerThanItself(Mode mode) throws Exception {
        try (Server server = mode.start(SNTP); DatagramSocket c = Peer.udp()) {
            Peer.send(c, server.udpAddress(), request(48 + 24, 4, 3, 77));
            byte[] got = Peer.receive(c, Peer.TIMEOUT_MS);
            assertNotNull(got);
            assertEquals(48, got.length);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void overTheRateLimitASourceGetsOneKissOfDeath(Mode mode) throws Exception {
        ServiceConfig config = SNTP.withRateLimit(2).withSntp(SntpSettings.DEFAULT.withKissOfDeath(true));
        try (Server server = mode.start(config); DatagramSocket c = Peer.udp()) {
            for (int i = 0; i < 8; i++) {
                Peer.send(c, server.udpAddress(), request(48, 4, 3, i + 1));
            }
            int replies = 0;
            int kisses = 0;
            for (byte[] got; (got = Peer.receive(c, 500)) != null; ) {
                ByteBuffer r = ByteBuffer.wrap(got);
                if (NtpPacket.getByte(r, NtpPacket.STRATUM) == 0) {
                    kisses++;
                    assertEquals(NtpPacket.LEAP_UNSYNCHRONISED, NtpPacket.leap(r));
                    assertEquals("RATE", NtpPacket.refIdText(NtpPacket.getInt(r, NtpPacket.REFERENCE_ID), 0));
                } else {
                    replies++;
                }
            }
            // A burst of 2, perhaps a token refilled while the 8 went out; one KoD, the rest dropped.
            assertTrue(replies >= 2 && replies <= 3, replies + " replies");
            assertEquals(1, kisses);
            assertTrue(server.summary().contains("1 KoD RATE sent"), server.summary());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theClientMeasuresASmallOffset(Mode mode) throws Exception {
        try (Server server = mode.start(SNTP);
             SntpClient client = new SntpClient(server.udpAddress(), 4, Peer.TIMEOUT_MS)) {
            SntpClient.Sample s = client.query();
            assertTrue(Math.abs(s.offsetNanos()) < 10_000_000, "offset " + s.offsetNanos() + " ns");
            assertTrue(s.delayNanos() >= 0 && s.delayNanos() < 1_000_000_000L, "delay " + s.delayNanos() + " ns");
            assertEquals("127.127.1.1", s.refIdText());
        }
    }

    /**
     * Steady state on the event loop: no allocation per request on the loop thread (kernel
     * stamp, check, reply, transmit stamp, send). The quietest of several windows counts
     * (the counter is read from this thread, so a window's edges are not exact); the build
     * runs this again without escape analysis, where it holds by construction.
     */
    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.Tag("allocation")
    void theLoopThreadAllocatesNothingPerRequest() throws Exception {
        boolean escapeAnalysis = "true".equals(java.lang.management.ManagementFactory.getPlatformMXBean(
                com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption("DoEscapeAnalysis").getValue());
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.uloop.internal.posix.Syscall.AVAILABLE || escapeAnalysis,
                "errno capture allocates per call without escape analysis, and this JVM has none");
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Server server = Mode.EPOLL.start(SNTP); DatagramSocket c = Peer.udp()) {
            Thread loop = Thread.getAllStackTraces().keySet().stream()      // this server's: the newest
                    .filter(t -> t.getName().startsWith("uloop-sntp") && t.isAlive())
                    .max(java.util.Comparator.comparingLong(Thread::threadId)).orElseThrow();
            byte[] req = request(48, 4, 3, 1);
            java.net.DatagramPacket out = new java.net.DatagramPacket(req, req.length, server.udpAddress());
            java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[64], 64);
            int warmup = 20_000;
            int window = 5_000;
            int windows = 6;
            long[] marks = new long[windows + 1];
            for (int i = 0; i < warmup + window * windows; i++) {
                if (i >= warmup && (i - warmup) % window == 0) {
                    marks[(i - warmup) / window] = mx.getThreadAllocatedBytes(loop.threadId());
                }
                c.send(out);
                c.receive(in);
            }
            marks[windows] = mx.getThreadAllocatedBytes(loop.threadId());
            assertTrue(marks[0] > 0 && loop.isAlive(), "not the serving loop thread: " + loop);
            long quietest = Long.MAX_VALUE;
            for (int k = 0; k < windows; k++) {
                quietest = Math.min(quietest, marks[k + 1] - marks[k]);
            }
            // One 16-byte object per request would be 80 KB per window.
            assertTrue(quietest < 4 * 1024, quietest + " bytes allocated on the loop thread in the quietest window of "
                    + window + " requests; " + java.util.Arrays.toString(marks));
        }
    }
}
