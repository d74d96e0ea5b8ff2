package dev.uloop.sntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The client's arithmetic on fake clocks: offset and delay from the four timestamps. */
class SntpClientTest {
    static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 123);

    /** A server whose clock is {@code offset} ahead answers after {@code oneWay} each way, taking {@code work}. */
    static SntpClient.Sample exchange(long t1Nanos, long offset, long oneWay, long work) throws IOException {
        long t1 = NtpTime.fromUnixNanos(t1Nanos);
        ByteBuffer request = ByteBuffer.allocate(48);
        request.put(0, NtpPacket.firstByte(0, 4, NtpPacket.MODE_CLIENT));
        request.putLong(NtpPacket.TRANSMIT_TIME, t1);
        ByteBuffer reply = ByteBuffer.allocate(48);
        long t2 = t1Nanos + oneWay + offset;
        new SntpResponder(SntpSettings.DEFAULT, -20).reply(request, t2, reply);
        SntpResponder.stampTransmit(reply, t2 + work);
        long t4 = t1Nanos + 2 * oneWay + work;
        return SntpClient.sample(SERVER, reply, t1, t4);
    }

    @Test
    void offsetAndDelayComeFromTheFourTimestamps() throws IOException {
        long now = NtpTimeTest.nanos("2026-11-23T12:00:00Z");
        SntpClient.Sample s = exchange(now, 3_000_000, 100_000, 20_000);
        assertEquals(3_000_000, s.offsetNanos(), 2);
        assertEquals(200_000, s.delayNanos(), 2);
        assertEquals(20_000, s.serverProcessingNanos(), 2);
        assertEquals(10, s.stratum());
        assertEquals("127.127.1.1", s.refIdText());
        assertEquals(now + 3_000_000 + 120_000, s.serverTimeNanos(), 2);
    }

    @Test
    void theEraBoundaryBetweenClientAndServerChangesNothing() throws IOException {
        long boundary = NtpTimeTest.nanos(NtpTimeTest.ERA_1);
        // The client is still in era 0, the server already in era 1, 1.5 s ahead.
        SntpClient.Sample ahead = exchange(boundary - 1_000_000_000L, 1_500_000_000L, 50_000, 10_000);
        assertEquals(1_500_000_000L, ahead.offsetNanos(), 2);
        assertEquals(100_000, ahead.delayNanos(), 2);
        assertEquals(boundary + 500_000_000L + 60_000, ahead.serverTimeNanos(), 2);
        // The client is in era 1, the server still in era 0, 2 s behind.
        SntpClient.Sample behind = exchange(boundary + 1_000_000_000L, -2_000_000_000L, 50_000, 10_000);
        assertEquals(-2_000_000_000L, behind.offsetNanos(), 2);
        assertEquals(100_000, behind.delayNanos(), 2);
        assertTrue(behind.serverTimeNanos() < boundary, "read in era 0");
    }

    @Test
    void aKissOfDeathStopsTheClient() {
        ByteBuffer request = ByteBuffer.allocate(48);
        request.put(0, NtpPacket.firstByte(0, 4, NtpPacket.MODE_CLIENT));
        ByteBuffer kod = ByteBuffer.allocate(48);
        new SntpResponder(SntpSettings.DEFAULT, -20).kissOfDeath(request, SntpResponder.KISS_RATE, kod);
        SntpClient.KissOfDeathException e = assertThrows(SntpClient.KissOfDeathException.class,
                () -> SntpClient.sample(SERVER, kod, 0, 0));
        assertEquals("RATE", e.code());
        assertEquals("kiss-o'-death RATE from 127.0.0.1 port 123: asking too often", e.getMessage());
    }

    @Test
    void anUnsynchronisedServerIsRefused() {
        ByteBuffer reply = ByteBuffer.allocate(48);
        reply.put(0, NtpPacket.firstByte(3, 4, NtpPacket.MODE_SERVER));
        reply.put(NtpPacket.STRATUM, (byte) 2);
        IOException e = assertThrows(IOException.class, () -> SntpClient.sample(SERVER, reply, 0, 0));
        assertEquals("127.0.0.1 port 123 says its clock is not synchronised (leap indicator 3)", e.getMessage());
    }
}
