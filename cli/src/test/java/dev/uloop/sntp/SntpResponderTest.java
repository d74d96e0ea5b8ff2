package dev.uloop.sntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class SntpResponderTest {
    static final long RECEIVED = NtpTimeTest.nanos("2026-11-23T12:00:00.25Z");
    static final long REQUEST_TRANSMIT = 0xDEADBEEF_12345678L;   // opaque to the server: copied bit for bit

    static ByteBuffer request(int version, int poll) {
        ByteBuffer r = ByteBuffer.allocate(48);
        r.put(0, NtpPacket.firstByte(0, version, NtpPacket.MODE_CLIENT));
        r.put(NtpPacket.POLL, (byte) poll);
        r.putLong(NtpPacket.TRANSMIT_TIME, REQUEST_TRANSMIT);
        return r;
    }

    @Test
    void theReplyCarriesEveryFieldAsDocumented() {
        SntpResponder responder = new SntpResponder(SntpSettings.DEFAULT, -25);
        ByteBuffer out = ByteBuffer.allocate(64);
        responder.reply(request(4, 6), RECEIVED, out);
        assertEquals(0, out.position());
        assertEquals(48, out.limit(), "a reply is exactly the header");
        assertEquals(0, NtpPacket.leap(out), "no leap warning");
        assertEquals(4, NtpPacket.version(out));
        assertEquals(NtpPacket.MODE_SERVER, NtpPacket.mode(out));
        assertEquals(10, NtpPacket.getByte(out, NtpPacket.STRATUM));
        assertEquals(6, NtpPacket.getByte(out, NtpPacket.POLL), "poll copied");
        assertEquals(-25, NtpPacket.getByte(out, NtpPacket.PRECISION));
        assertEquals(0, NtpPacket.getInt(out, NtpPacket.ROOT_DELAY));
        assertEquals(1, NtpPacket.getInt(out, NtpPacket.ROOT_DISPERSION), "2^-25 s = 30 ns: rounded up to one unit");
        assertEquals(0x7F7F0101, NtpPacket.getInt(out, NtpPacket.REFERENCE_ID));
        long rx = NtpTime.fromUnixNanos(RECEIVED);
        assertEquals(rx, NtpPacket.getTimestamp(out, NtpPacket.REFERENCE_TIME));
        assertEquals(REQUEST_TRANSMIT, NtpPacket.getTimestamp(out, NtpPacket.ORIGIN_TIME));
        assertEquals(rx, NtpPacket.getTimestamp(out, NtpPacket.RECEIVE_TIME));
        assertEquals(0, NtpPacket.getTimestamp(out, NtpPacket.TRANSMIT_TIME), "stamped just before the send");

        long sent = RECEIVED + 12_345;
        SntpResponder.stampTransmit(out, sent);
        assertEquals(NtpTime.fromUnixNanos(sent), NtpPacket.getTimestamp(out, NtpPacket.TRANSMIT_TIME));
    }

    @Test
    void theVersionOfTheRequestIsAnswered() {
        SntpResponder responder = new SntpResponder(SntpSettings.DEFAULT, -20);
        ByteBuffer out = ByteBuffer.allocate(48);
        for (int v = 1; v <= 4; v++) {
            responder.reply(request(v, 4), RECEIVED, out);
            assertEquals(v, NtpPacket.version(out));
            assertEquals(NtpPacket.MODE_SERVER, NtpPacket.mode(out));
        }
    }

    @Test
    void stratumAndReferenceIdFollowTheSettings() {
        SntpSettings gps = SntpSettings.DEFAULT.withStratum(1).withRefId(SntpSettings.parseRefId("GPS"));
        ByteBuffer out = ByteBuffer.allocate(48);
        new SntpResponder(gps, -20).reply(request(4, 4), RECEIVED, out);
        assertEquals(1, NtpPacket.getByte(out, NtpPacket.STRATUM));
        assertEquals("GPS", NtpPacket.refIdText(NtpPacket.getInt(out, NtpPacket.REFERENCE_ID), 1));
    }

    @Test
    void aKissOfDeathCarriesNoTime() {
        SntpResponder responder = new SntpResponder(SntpSettings.DEFAULT, -20);
        ByteBuffer out = ByteBuffer.allocate(48);
        responder.kissOfDeath(request(3, 5), SntpResponder.KISS_RATE, out);
        assertEquals(48, out.remaining());
        assertEquals(NtpPacket.LEAP_UNSYNCHRONISED, NtpPacket.leap(out));
        assertEquals(3, NtpPacket.version(out));
        assertEquals(NtpPacket.MODE_SERVER, NtpPacket.mode(out));
        assertEquals(0, NtpPacket.getByte(out, NtpPacket.STRATUM), "stratum 0: a kiss code");
        assertEquals("RATE", NtpPacket.refIdText(NtpPacket.getInt(out, NtpPacket.REFERENCE_ID), 0));
        assertEquals(REQUEST_TRANSMIT, NtpPacket.getTimestamp(out, NtpPacket.ORIGIN_TIME));
        assertEquals(REQUEST_TRANSMIT, NtpPacket.getTimestamp(out, NtpPacket.RECEIVE_TIME));
        SntpResponder.stampTransmit(out, RECEIVED);
        assertEquals(REQUEST_TRANSMIT, NtpPacket.getTimestamp(out, NtpPacket.TRANSMIT_TIME), "not stamped");
    }

    @Test
    void repliesAcrossTheEraBoundaryWrapTheSeconds() {
        long boundary = NtpTimeTest.nanos(NtpTimeTest.ERA_1);
        SntpResponder responder = new SntpResponder(SntpSettings.DEFAULT, -20);
        ByteBuffer out = ByteBuffer.allocate(48);
        responder.reply(request(4, 4), boundary - 100_000, out);      // received in era 0
        SntpResponder.stampTransmit(out, boundary + 100_000);          // sent in era 1
        long rx = NtpPacket.getTimestamp(out, NtpPacket.RECEIVE_TIME);
        long tx = NtpPacket.getTimestamp(out, NtpPacket.TRANSMIT_TIME);
        assertEquals(0xFFFFFFFFL, rx >>> 32);
        assertEquals(0L, tx >>> 32);
        assertEquals(200_000, NtpTime.toNanos(NtpTime.difference(tx, rx)), 1);
    }

    @Test
    void precisionIsTheLogOfTheClockStep() {
        assertEquals(-29, SntpResponder.precisionOf(1));
        assertEquals(-25, SntpResponder.precisionOf(25));
        assertEquals(-19, SntpResponder.precisionOf(1_000));
        assertEquals(-6, SntpResponder.precisionOf(15_625_000));
        int measured = SntpResponder.measurePrecision();
        assertTrue(measured >= -30 && measured <= -6, "this clock's precision " + measured);
    }

    @Test
    void settingsRejectWhatNoServerMaySend() {
        assertThrows(IllegalArgumentException.class, () -> SntpSettings.DEFAULT.withStratum(0));
        assertThrows(IllegalArgumentException.class, () -> SntpSettings.DEFAULT.withStratum(16));
        assertThrows(IllegalArgumentException.class, () -> SntpSettings.parseRefId("TOOLONG"));
        assertThrows(IllegalArgumentException.class, () -> SntpSettings.parseRefId("1.2.3.256"));
        assertThrows(IllegalArgumentException.class, () -> SntpSettings.parseRefId("G-S"));
        assertEquals(0x4C4F434C, SntpSettings.parseRefId("LOCL"));
        assertEquals(0x7F7F0101, SntpSettings.parseRefId("127.127.1.1"));
    }
}
