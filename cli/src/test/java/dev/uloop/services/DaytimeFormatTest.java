package dev.uloop.services;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

/** The two daytime formats. */
class DaytimeFormatTest {
    private static final LocalDateTime T = LocalDateTime.of(2020, 6, 11, 13, 52, 38, 709_123_456);

    @Test
    void seedIsPythonsStrOfADatetimeWithMicroseconds() {
        assertEquals("2020-06-11 13:52:38.709123", DaytimeFormat.SEED.format(T));
        assertEquals("2020-06-11 13:52:38.000000", DaytimeFormat.SEED.format(T.withNano(0)));
    }

    @Test
    void inetdIsCtimeWithASpacePaddedDay() {
        assertEquals("Thu Jun 11 13:52:38 2020", DaytimeFormat.INETD.format(T));
        assertEquals("Mon Jun  1 03:04:05 2020", DaytimeFormat.INETD.format(LocalDateTime.of(2020, 6, 1, 3, 4, 5)));
    }

    @Test
    void linesEndWithCrLf() {
        assertArrayEquals("2020-06-11 13:52:38.709123\r\n".getBytes(StandardCharsets.US_ASCII), DaytimeFormat.SEED.line(T));
        assertArrayEquals("Thu Jun 11 13:52:38 2020\r\n".getBytes(StandardCharsets.US_ASCII), DaytimeFormat.INETD.line(T));
    }

    @Test
    void namesParseInAnyCase() {
        assertEquals(DaytimeFormat.SEED, DaytimeFormat.parse("seed"));
        assertEquals(DaytimeFormat.INETD, DaytimeFormat.parse("INETD"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DaytimeFormat.parse("iso"));
        assertEquals("unknown daytime format 'iso'; choose seed or inetd", e.getMessage());
    }
}
