package dev.uloop.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.sntp.NtpPacket;
import dev.uloop.sntp.NtpTime;
import dev.uloop.sntp.SntpResponder;
import dev.uloop.sntp.SntpSettings;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The SNTP service's decisions, on fake clocks. */
class SntpAnswererTest {
    private final AtomicLong wall = new AtomicLong(1_790_000_000_000_000_000L);
    private final AtomicLong mono = new AtomicLong();

    private SntpAnswerer answerer(int rate, boolean kod) {
        return new SntpAnswerer(new SntpResponder(SntpSettings.DEFAULT.withKissOfDeath(kod), -20), rate,
                wall::get, mono::get);
    }

    static ByteBuffer request(long transmit) {
        ByteBuffer r = ByteBuffer.allocate(48);
        r.put(0, NtpPacket.firstByte(0, 4, NtpPacket.MODE_CLIENT));
        r.putLong(NtpPacket.TRANSMIT_TIME, transmit);
        return r;
    }

    static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40123);

    @Test
    void aRequestIsAnsweredWithTheTransmitTimeTakenAtTheLastMoment() {
        SntpAnswerer a = answerer(0, false);
        long received = wall.get();
        ByteBuffer reply = a.answer(request(42), CLIENT, received);
        assertNotNull(reply);
        wall.addAndGet(5_000);
        a.beforeSend(reply);
        assertEquals(NtpTime.fromUnixNanos(received), NtpPacket.getTimestamp(reply, NtpPacket.RECEIVE_TIME));
        assertEquals(NtpTime.fromUnixNanos(received + 5_000), NtpPacket.getTimestamp(reply, NtpPacket.TRANSMIT_TIME));
        assertEquals(42, NtpPacket.getTimestamp(reply, NtpPacket.ORIGIN_TIME));
    }

    @Test
    void requestsFromPort123AreAnsweredButPortZeroIsNot() {
        SntpAnswerer a = answerer(0, false);
        assertNotNull(a.answer(request(1), new InetSocketAddress("127.0.0.1", 123), wall.get()),
                "NTP servers and classic clients send from port 123");
        assertNull(a.answer(request(1), new InetSocketAddress("127.0.0.1", 0), wall.get()));
        assertEquals("1 dropped (0 not a valid request, 0 rate, 1 from port 0)", a.drops());
    }

    @Test
    void everyDropIsCountedByReason() {
        SntpAnswerer a = answerer(0, false);
        assertNull(a.answer(ByteBuffer.allocate(47), CLIENT, 0));
        ByteBuffer serverReply = request(1);
        serverReply.put(0, NtpPacket.firstByte(0, 4, NtpPacket.MODE_SERVER));
        assertNull(a.answer(serverReply, CLIENT, 0), "a server's reply is never answered: no ping-pong");
        ByteBuffer control = request(1);
        control.put(0, NtpPacket.firstByte(0, 2, 6));
        assertNull(a.answer(control, CLIENT, 0), "no control messages (mode 6)");
        assertEquals(1, a.dropped(NtpPacket.Check.TOO_SHORT));
        assertEquals(2, a.dropped(NtpPacket.Check.NOT_A_REQUEST));
        assertEquals("3 dropped (3 not a valid request, 0 rate)", a.drops());
    }

    @Test
    void overTheRateLimitRequestsAreDropped() {
        SntpAnswerer a = answerer(2, false);
        assertNotNull(a.answer(request(1), CLIENT, 0));
        assertNotNull(a.answer(request(2), CLIENT, 0));
        assertNull(a.answer(request(3), CLIENT, 0));
        assertNull(a.answer(request(4), new InetSocketAddress("127.0.0.2", 40123), 0),
                "another address of the same /24 shares its bucket");
        assertNotNull(a.answer(request(4), new InetSocketAddress("127.1.0.2", 40123), 0), "another network");
        mono.addAndGet(500_000_000L);     // half a second: one token back
        assertNotNull(a.answer(request(5), CLIENT, 0));
        assertNull(a.answer(request(6), CLIENT, 0));
        assertEquals(3, a.rateDrops());
        assertEquals(0, a.kissesOfDeath());
    }

    @Test
    void withKodASourceOverTheLimitGetsOneKissOfDeathASecond() {
        SntpAnswerer a = answerer(1, true);
        ByteBuffer first = a.answer(request(1), CLIENT, wall.get());
        assertEquals(10, NtpPacket.getByte(first, NtpPacket.STRATUM));
        ByteBuffer kod = a.answer(request(2), CLIENT, wall.get());
        assertNotNull(kod);
        assertEquals(0, NtpPacket.getByte(kod, NtpPacket.STRATUM));
        assertEquals(SntpResponder.KISS_RATE, NtpPacket.getInt(kod, NtpPacket.REFERENCE_ID));
        assertEquals(2, NtpPacket.getTimestamp(kod, NtpPacket.ORIGIN_TIME));
        assertNull(a.answer(request(3), CLIENT, wall.get()), "the second one in the same second is dropped");
        assertEquals(1, a.kissesOfDeath());
        assertEquals(1, a.rateDrops());
        assertTrue(a.drops().endsWith(", 1 KoD RATE sent"), a.drops());
        mono.addAndGet(1_000_000_000L);
        assertEquals(10, NtpPacket.getByte(a.answer(request(4), CLIENT, wall.get()), NtpPacket.STRATUM));
    }
}
