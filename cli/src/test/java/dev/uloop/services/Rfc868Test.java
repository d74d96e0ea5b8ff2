package dev.uloop.services;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The RFC 868 conversion, including the 2036 wrap. */
class Rfc868Test {
    @Test
    void nineteenHundredIsZero() {
        assertEquals(0, Rfc868.toRfc868(Instant.parse("1900-01-01T00:00:00Z")));
    }

    @Test
    void theUnixEpochIs2208988800() {
        assertEquals(2_208_988_800L, Rfc868.toRfc868(Instant.EPOCH));
        assertEquals(2_208_988_800L, Rfc868.toRfc868(Instant.parse("1970-01-01T00:00:00.999Z")), "fractions drop");
    }

    @Test
    void theRfcsOwnExamples() {
        // RFC 868: "2,398,291,200 corresponds to 00:00 1 Jan 1976 GMT".
        assertEquals(2_398_291_200L, Rfc868.toRfc868(Instant.parse("1976-01-01T00:00:00Z")));
        assertEquals(2_524_521_600L, Rfc868.toRfc868(Instant.parse("1980-01-01T00:00:00Z")));
    }

    @Test
    void itWrapsToZeroOnFebruary7th2036() {
        Instant wrap = Instant.parse("2036-02-07T06:28:16Z");
        assertEquals(wrap, Rfc868.FIRST_WRAP);
        assertEquals(0xFFFF_FFFFL, Rfc868.toRfc868(wrap.minusSeconds(1)));
        assertEquals(0, Rfc868.toRfc868(wrap));
        assertEquals(1, Rfc868.toRfc868(wrap.plusSeconds(1)));
    }

    @Test
    void theWireFormatIsFourBytesBigEndian() {
        assertArrayEquals(new byte[] {(byte) 0x83, (byte) 0xAA, 0x7E, (byte) 0x80}, Rfc868.encode(Instant.EPOCH));
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
                Rfc868.encode(Rfc868.FIRST_WRAP.minusSeconds(1)));
        assertEquals(2_208_988_800L, Rfc868.decode(Rfc868.encode(Instant.EPOCH)));
        assertEquals(0xFFFF_FFFFL, Rfc868.decode(new byte[] {-1, -1, -1, -1}));
        assertThrows(IllegalArgumentException.class, () -> Rfc868.decode(new byte[3]));
    }

    @Test
    void readingPicksTheEraNearestTheLocalClock() {
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        assertEquals(now, Rfc868.toInstant(Rfc868.toRfc868(now), now));
        assertEquals(now, Rfc868.toInstant(Rfc868.toRfc868(now), now.plusSeconds(5)));
        // Just after the wrap, a server that says 10 means 2036, not 1900...
        Instant after = Rfc868.FIRST_WRAP.plusSeconds(10);
        assertEquals(after, Rfc868.toInstant(10, Rfc868.FIRST_WRAP.minusSeconds(3)));
        // ...and just before it, a large value still means 2036 for a clock already past the wrap.
        Instant before = Rfc868.FIRST_WRAP.minusSeconds(10);
        assertEquals(before, Rfc868.toInstant(0xFFFF_FFFFL - 9, Rfc868.FIRST_WRAP.plusSeconds(3)));
        assertEquals(Instant.parse("1900-01-01T00:00:00Z"), Rfc868.toInstant(0, Instant.parse("1901-01-01T00:00:00Z")));
        assertThrows(IllegalArgumentException.class, () -> Rfc868.toInstant(1L << 32, now));
    }
}
