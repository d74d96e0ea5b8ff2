package dev.uloop.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The charts' titles and the lesson's reading say what the numbers say, and no more. */
class FindingsTest {
    /** A row with two rounds: median {@code m}, the rounds {@code m(1 - s)} and {@code m(1 + s)}. */
    private static Row row(String server, Point p, double m, double s) {
        return Row.measured(server, false, p, List.of(CompareFixtures.result(m * (1 - s), 40, 90, 5),
                CompareFixtures.result(m * (1 + s), 40, 90, 5)), List.of(), List.of(0.9, 0.9), "", 0.01);
    }

    private static List<Row> idleRows(double pollKept, double selectKept) {
        List<Row> rows = new ArrayList<>();
        for (int idle : new int[] {0, 900, 3000, 10_000}) {
            double f = idle / 10_000.0;
            rows.add(row("uloop-epoll", Point.idle(10, idle), 100_000, 0.02));
            rows.add(row("uloop-poll", Point.idle(10, idle), 100_000 * (1 - f * (1 - pollKept)), 0.02));
            rows.add(row("uloop-select", Point.idle(10, idle), 100_000 * (1 - f * (1 - selectKept)), 0.02));
        }
        return rows;
    }

    @Test
    void theIdleTitleClaimsTheScanOnlyWhenTheNumbersShowIt() {
        assertTrue(Findings.idle(idleRows(0.4, 0.3), "uloop-epoll", "uloop-poll", "uloop-select")
                .startsWith("poll and select slow down as idle connections grow; epoll does not"));
        List<Row> epollSlower = new ArrayList<>(idleRows(0.3, 0.2));
        epollSlower.replaceAll(r -> r.server().equals("uloop-epoll") && r.point().idle() == 10_000
                ? row("uloop-epoll", r.point(), 80_000, 0.02) : r);
        assertEquals("poll and select slow down as idle connections grow; epoll keeps 80% of its speed at 10,000",
                Findings.idle(epollSlower, "uloop-epoll", "uloop-poll", "uloop-select"));
        String flat = Findings.idle(idleRows(0.97, 0.95), "uloop-epoll", "uloop-poll", "uloop-select");
        assertFalse(flat.contains("slow down"), flat);
        assertTrue(flat.contains("poll 97%, select 95%"), flat);
    }

    @Test
    void aDifferenceSmallerThanTheRoundsSpreadIsNoise() {
        Row a = row("uloop-epoll", Point.tcp(64), 100_000, 0.05);
        assertTrue(Findings.withinNoise(a, row("netty-epoll", Point.tcp(64), 96_000, 0.01)));
        assertFalse(Findings.withinNoise(a, row("netty-epoll", Point.tcp(64), 80_000, 0.01)));
        assertEquals(0.05, Findings.spread(a), 1e-3);
        assertTrue(Findings.fastest(List.of(a, row("netty-epoll", Point.tcp(64), 96_000, 0.01)), p -> true,
                List.of("uloop-epoll", "netty-epoll"), "x").endsWith("level with Netty epoll (within noise)"));
    }

    @Test
    void theReadingIsMadeFromTheNumbers() {
        List<Row> rows = new ArrayList<>(idleRows(0.4, 0.3));
        rows.add(row("uloop-epoll", Point.tcp(1000), 120_000, 0.02));
        rows.add(row("uloop-blocking", Point.tcp(1000), 60_000, 0.02));
        rows.add(row("uloop-virtual", Point.tcp(1000), 118_000, 0.02));
        rows.add(Row.without("seed-select", false, Point.idle(10, 3000), Row.Status.FAILED,
                "server exited (status 1) in round 1: ValueError: filedescriptor out of range in select()"));
        List<String> reading = Reading.of(rows, List.of());
        String all = String.join("\n", reading);
        assertTrue(all.contains("one uloop loop on epoll echoed 120,000 messages a second"), all);
        assertTrue(all.contains("served 60,000, 50% of uloop epoll"), all);
        assertTrue(all.contains("level with uloop epoll (within noise): blocking code on virtual threads is competitive"),
                all);
        assertTrue(all.contains("uloop poll served 40% of uloop epoll"), all);
        assertTrue(all.contains("The seeds' select server (Python) failed at 3,010 connections: select() takes no"
                + " descriptor numbered 1024 or more (FD_SETSIZE); uloop's select served the same point at 79,000 messages a second"), all);
        assertTrue(all.contains("Noise: a round differed from its point's median by 2% in the median"), all);
    }
}
