package dev.uloop.bench.compare;

import dev.uloop.loadgen.BenchResult;
import java.util.ArrayList;
import java.util.List;

/** Rows and results made up for the tests. */
final class CompareFixtures {
    private CompareFixtures() {}

    static BenchResult result(double msgsPerSec, double p50, double p99, double cpuUsPerMsg) {
        double seconds = 2;
        long messages = Math.round(msgsPerSec * seconds);
        long cpuNanos = Double.isNaN(cpuUsPerMsg) ? -1 : Math.round(cpuUsPerMsg * 1e3 * messages);
        return new BenchResult("x", "tcp", 64, 0, 64, 1, seconds, messages, 0, p50, p50 * 1.5, p99, p99 * 2, p99 * 3,
                cpuNanos);
    }

    static Row row(String server, boolean nativeC, Point point, double msgsPerSec) {
        return Row.measured(server, nativeC, point, List.of(result(msgsPerSec, 40, 90, 5)), List.of(), List.of(0.9), "", 0.01);
    }

    /** Two points; sockperf-epoll and sockperf-poll at tcp-64, none measured at tcp-1000; a failure. */
    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        Point p64 = Point.tcp(64);
        Point p1000 = Point.tcp(1000);
        rows.add(row("uloop-epoll", false, p64, 150_000));
        rows.add(row("netty-epoll", false, p64, 120_000));
        rows.add(row("sockperf-epoll", true, p64, 200_000));
        rows.add(row("sockperf-poll", true, p64, 100_000));
        rows.add(row("uloop-epoll", false, p1000, 90_000));
        rows.add(Row.without("sockperf-select", true, p1000, Row.Status.FAILED,
                "no replies in round 1 (0 errors): sockperf: WARNING: closing a socket"));
        return rows;
    }
}
