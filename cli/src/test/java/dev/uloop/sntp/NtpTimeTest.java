package dev.uloop.sntp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class NtpTimeTest {
    /** 2036-02-07T06:28:16Z: NTP era 0 ends, the seconds field restarts at 0. */
    static final Instant ERA_1 = Instant.parse("2036-02-07T06:28:16Z");

    static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    static long nanos(String iso) {
        return nanos(Instant.parse(iso));
    }

    @Test
    void unixEpochIsSecond2208988800() {
        assertEquals(0x83AA7E80_00000000L, NtpTime.fromUnixNanos(0));
        assertEquals(0L, NtpTime.fromUnixNanos(nanos("1900-01-01T00:00:00Z")));
        assertEquals(0L, NtpTime.toUnixNanos(0x83AA7E80_00000000L, nanos("2026-11-23T00:00:00Z")));
    }

    @Test
    void fractionIsBinaryAndRoundTripsToTheNanosecond() {
        assertEquals(0x83AA7E80_80000000L, NtpTime.fromUnixNanos(500_000_000L));
        assertEquals(0x83AA7E80_00000004L, NtpTime.fromUnixNanos(1L));   // 1 ns = 4.29 units
        long justBelowASecond = NtpTime.fromUnixNanos(999_999_999L);
        assertEquals(0x83AA7E80L, justBelowASecond >>> 32, "never rounded into the next second");
        for (long n = 999_999_000L; n < 1_000_000_000L; n++) {
            assertEquals(n, NtpTime.toUnixNanos(NtpTime.fromUnixNanos(n), 0), "round trip of " + n + " ns");
        }
        for (long n = 0; n < 1000; n++) {
            assertEquals(n * 7919, NtpTime.toUnixNanos(NtpTime.fromUnixNanos(n * 7919), 0), "round trip");
        }
    }

    @Test
    void theEraBoundaryWrapsTheSecondsToZero() {
        long boundary = nanos(ERA_1);
        assertEquals(0L, NtpTime.era(boundary - 1));
        assertEquals(1L, NtpTime.era(boundary));
        assertEquals(0x00000000_00000000L, NtpTime.fromUnixNanos(boundary));
        assertEquals(0xFFFFFFFFL, NtpTime.fromUnixNanos(boundary - 1) >>> 32);
        assertEquals(0x00000001_80000000L, NtpTime.fromUnixNanos(boundary + 1_500_000_000L));
    }

    @Test
    void timestampsAreReadInTheEraNearestTheLocalClock() {
        long boundary = nanos(ERA_1);
        long before = boundary - 3_000_000_000L;            // 06:28:13 in era 0
        long after = boundary + 2_000_000_000L;             // 06:28:18 in era 1
        for (long near : new long[] {before, after, boundary, nanos("2030-01-01T00:00:00Z"),
                nanos("2090-01-01T00:00:00Z")}) {
            assertEquals(before, NtpTime.toUnixNanos(NtpTime.fromUnixNanos(before), near));
            assertEquals(after, NtpTime.toUnixNanos(NtpTime.fromUnixNanos(after), near));
        }
        long farFuture = nanos("2150-06-01T12:00:00Z");    // era 1, beyond the first wrap
        assertEquals(farFuture, NtpTime.toUnixNanos(NtpTime.fromUnixNanos(farFuture), farFuture + 86_400_000_000_000L));
    }

    @Test
    void differencesAreRightAcrossTheBoundary() {
        long boundary = nanos(ERA_1);
        long t1 = NtpTime.fromUnixNanos(boundary - 250_000_000L);   // 0xFFFFFFFF.C0000000
        long t2 = NtpTime.fromUnixNanos(boundary + 250_000_000L);   // 0x00000000.40000000
        assertEquals(500_000_000L, NtpTime.toNanos(NtpTime.difference(t2, t1)));
        assertEquals(-500_000_000L, NtpTime.toNanos(NtpTime.difference(t1, t2)));
        assertEquals(0.5, NtpTime.toSeconds(NtpTime.difference(t2, t1)), 1e-9);
    }

    @Test
    void shortFormatRoundsUpAndSaturates() {
        assertEquals(0, NtpTime.toShort(0));
        assertEquals(1, NtpTime.toShort(1));                  // any positive duration is at least one unit
        assertEquals(0x00010000, NtpTime.toShort(1_000_000_000L));
        assertEquals(0x00008000, NtpTime.toShort(500_000_000L));
        assertEquals(-1, NtpTime.toShort(70_000L * 1_000_000_000L));
        assertEquals(500_000_000L, NtpTime.fromShort(0x00008000));
        assertEquals(65_535_999_984_741L, NtpTime.fromShort(-1));
    }
}
