package dev.uloop.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.loadgen.BenchResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(2.0, Stats.median(3, 1, 2));
        assertEquals(2.5, Stats.median(4, 1, 3, 2));
        assertEquals(7.0, Stats.median(7));
    }

    @Test
    void medianIgnoresNaN() {
        assertEquals(2.0, Stats.median(Double.NaN, 1, 3));
        assertTrue(Double.isNaN(Stats.median()));
        assertTrue(Double.isNaN(Stats.median(Double.NaN)));
    }

    @Test
    void rowTakesTheMedianOfEachColumnAndSumsErrors() {
        Row r = Row.measured("s", false, Point.tcp(1), List.of(
                CompareFixtures.result(100, 10, 50, 4),
                CompareFixtures.result(300, 30, 20, 6),
                CompareFixtures.result(200, 20, 90, 5)), List.of(), List.of(0.5, 0.7, 0.6), "", 0);
        assertEquals(200, r.msgsPerSec(), 1e-9);
        assertEquals(20, r.p50(), 1e-9);
        assertEquals(50, r.p99(), 1e-9);
        assertEquals(100, r.p999(), 1e-9, "the median of the rounds' p99.9 (100, 40, 180)");
        assertEquals(270, r.max(), 1e-9, "the worst round trip of any round (150, 60, 270)");
        assertTrue(Double.isNaN(r.gcs()), "no GC windows: unknown, not zero");
        assertTrue(Double.isNaN(r.gcMillis()));
        assertEquals(5, r.cpuUsPerMsg(), 1e-6);
        assertEquals(0.6, r.genCpus(), 1e-9);
        assertEquals(List.of(100.0, 300.0, 200.0), r.roundMsgs());
    }

    @Test
    void rowSumsTheCollectionsOfEveryMeasuredWindow() {
        java.nio.ByteBuffer data = GcCounterTest.perfData(java.nio.ByteOrder.LITTLE_ENDIAN, 7, 3, 1_000_000);
        GcCounter counter = GcCounter.parse(data);
        List<GcCounter.Window> windows = new java.util.ArrayList<>();
        for (int round = 0; round < 3; round++) {
            GcCounter.Window w = new GcCounter.Window(counter);
            w.start();
            GcCounterTest.addCollections(data, round, round * 2_000L);   // round k: k collections, 2k ms at 1 MHz
            w.end();
            windows.add(w);
        }
        BenchResult one = CompareFixtures.result(100, 10, 50, 4);
        Row r = Row.measured("s", false, Point.tcp(1), List.of(one, one, one), windows, List.of(0.5, 0.5, 0.5), "", 0);
        assertEquals(3, r.gcs(), 1e-9);
        assertEquals(6, r.gcMillis(), 1e-9);

        GcCounter.Window unknown = new GcCounter.Window(null);
        unknown.start();
        unknown.end();
        Row native_ = Row.measured("c", true, Point.tcp(1), List.of(one), List.of(unknown), List.of(0.5), "", 0);
        assertTrue(Double.isNaN(native_.gcs()), "a server without performance data has no GC count");
    }

    @Test
    void aServerThatLosesConnectionsFailsThePointAndIsNoReference() {
        Point c10k = Point.tcp(10_000);
        BenchResult kept1023 = new BenchResult("x", "tcp", 10_000, 0, 64, 1, 2, 90_000, 8_977, 200, 300, 400, 500,
                600, -1);
        BenchResult clean = CompareFixtures.result(40_000, 200_000, 300_000, 20);
        BenchResult fewErrors = new BenchResult("x", "tcp", 10_000, 0, 64, 1, 2, 80_000, 100, 1, 1, 1, 1, 1, -1);
        List<Row> rows = Stats.withRatios(Stats.failLossy(List.of(
                Row.measured("sockperf-epoll", true, c10k, List.of(kept1023, kept1023), List.of(), List.of(0.5, 0.5),
                        "", 0),
                Row.measured("uloop-epoll", false, c10k, List.of(clean, clean), List.of(), List.of(0.5, 0.5), "", 0),
                Row.measured("jdk-nio", false, c10k, List.of(fewErrors), List.of(), List.of(0.5), "", 0))));
        Row sockperf = rows.get(0);
        assertEquals(Row.Status.FAILED, sockperf.status());
        assertTrue(sockperf.note().startsWith("lost connections: 17,954 errors in 2 round(s) with 10,000 connections"
                + " (it echoed 45,000 msgs/s on the ones it kept)"), sockperf.note());
        assertTrue(rows.get(1).ok());
        assertTrue(Double.isNaN(rows.get(1).ratio()), "no C server held the point: no ratio");
        assertTrue(rows.get(2).ok(), "100 errors in a round of 10,000 connections is 1 %, not more");
        assertEquals(rows, Stats.withRatios(Stats.failLossy(rows)), "judging twice changes nothing");
    }

    @Test
    void ratioIsAgainstTheFastestNativeServerOfThePoint() {
        List<Row> rows = Stats.withRatios(CompareFixtures.rows());
        assertEquals(0.75, rows.get(0).ratio(), 1e-9);           // uloop-epoll 150k / sockperf-epoll 200k
        assertEquals(0.60, rows.get(1).ratio(), 1e-9);
        assertEquals(1.00, rows.get(2).ratio(), 1e-9);
        assertEquals(0.50, rows.get(3).ratio(), 1e-9);
        assertTrue(Double.isNaN(rows.get(4).ratio()), "no sockperf measured at tcp-1000");
        assertTrue(Double.isNaN(rows.get(5).ratio()), "a failed row has no ratio");
        assertEquals("sockperf-epoll", Stats.reference(rows, Point.tcp(64)).server());
        assertNull(Stats.reference(rows, Point.tcp(1000)));
    }

    @Test
    void pointIdsAreUniqueAndQuickIsASubset() {
        assertEquals(Point.ALL.size(), Point.ALL.stream().map(Point::id).distinct().count());
        assertTrue(Point.ALL.containsAll(Point.QUICK));
        assertEquals("tcp 10 +5000 idle", Point.idle(10, 5000).label());
        assertEquals(5010, Point.idle(10, 5000).tcpConnections());
        assertEquals(0, Point.udp(64).tcpConnections());
    }
}
