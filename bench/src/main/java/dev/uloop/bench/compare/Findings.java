package dev.uloop.bench.compare;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What a run's numbers say, in words: the charts' titles and the lesson's reading are made
 * from the measured values, and say where a difference is within the run's noise.
 */
final class Findings {
    private Findings() {}

    /** A row's spread between rounds: the largest distance of a round from the median, over the median. */
    static double spread(Row r) {
        if (!r.ok() || r.roundMsgs().size() < 2 || !(r.msgsPerSec() > 0)) {
            return 0;
        }
        double worst = 0;
        for (double v : r.roundMsgs()) {
            worst = Math.max(worst, Math.abs(v - r.msgsPerSec()));
        }
        return worst / r.msgsPerSec();
    }

    /** The largest spread of the rows. */
    static double worstSpread(List<Row> rows) {
        return rows.stream().mapToDouble(Findings::spread).max().orElse(0);
    }

    /** Whether two rows' msgs/s differ by less than their rounds did (or by under 3% with one round). */
    static boolean withinNoise(Row a, Row b) {
        double noise = Math.max(0.03, Math.max(spread(a), spread(b)));
        double hi = Math.max(a.msgsPerSec(), b.msgsPerSec());
        return Math.abs(a.msgsPerSec() - b.msgsPerSec()) <= noise * hi;
    }

    /** Whether a failure is select()'s wall: Python's ValueError, or glibc's FD_SETSIZE check (C). */
    private static boolean selectLimit(String note) {
        return note.contains("out of range in select") || note.contains("FD_SETSIZE");
    }

    /** A failed row's reason, short enough for a chart label. */
    static String reason(String note) {
        String n = note == null ? "" : note;
        if (selectLimit(n)) {
            return "select(): fd over 1023";
        }
        int colon = n.lastIndexOf(": ");
        String tail = colon >= 0 && colon + 2 < n.length() ? n.substring(colon + 2) : n;
        return tail.length() > 30 ? tail.substring(0, 27) + "..." : tail;
    }

    /**
     * Why a server failed, for a chart's legend, where the cause is a known wall: so that a
     * reader does not take sockperf's own cap for a limit of epoll.
     *
     * @return e.g. {@code ": select(), fd over 1023"}, or "" for a failure without a known cause
     */
    static String legendReason(String note) {
        String n = note == null ? "" : note;
        if (selectLimit(n)) {
            return ": select(), fd over 1023";
        }
        if (n.contains("MAX_ACTIVE_FD_NUM")) {
            return ": sockperf's 1,024-socket cap";
        }
        if (n.startsWith("lost connections")) {
            return ": dropped connections";
        }
        return "";
    }

    /** The row of {@code server} at the point {@code at} selects, if measured. */
    static Optional<Row> at(List<Row> rows, String server, Predicate<Point> at) {
        return rows.stream().filter(r -> r.ok() && r.server().equals(server) && at.test(r.point())).findFirst();
    }

    /**
     * A title for a throughput chart: who serves the most at the largest point, and how far
     * the next one is (or that it is within noise).
     */
    static String fastest(List<Row> rows, Predicate<Point> points, List<String> servers, String what) {
        int most = rows.stream().filter(r -> r.ok() && points.test(r.point()) && servers.contains(r.server()))
                .mapToInt(r -> r.point().connections()).max().orElse(-1);
        List<Row> there = rows.stream().filter(r -> r.ok() && points.test(r.point())
                        && r.point().connections() == most && servers.contains(r.server()))
                .sorted(Comparator.comparingDouble(Row::msgsPerSec).reversed()).toList();
        if (there.size() < 2) {
            return "Echo throughput of " + what + " against active connections";
        }
        Row first = there.get(0);
        Row second = there.get(1);
        String lead = String.format(Locale.ROOT, "At %,d connections %s serves the most", most,
                Charts.look(first.server()).label());
        if (withinNoise(first, second)) {
            return lead + ", level with " + Charts.look(second.server()).label() + " (within noise)";
        }
        return lead + String.format(Locale.ROOT, "; next, %s, %.0f%% less", Charts.look(second.server()).label(),
                100 * (1 - second.msgsPerSec() / first.msgsPerSec()));
    }

    /** What is left of a server's throughput at {@code idle} idle connections, against none. */
    static Optional<Double> kept(List<Row> rows, String server, int idle) {
        Optional<Row> none = at(rows, server, p -> p.equals(Point.idle(10, 0)));
        Optional<Row> some = at(rows, server, p -> p.equals(Point.idle(10, idle)));
        if (none.isEmpty() || some.isEmpty() || idle == 0) {
            return Optional.empty();
        }
        return Optional.of(some.get().msgsPerSec() / none.get().msgsPerSec());
    }

    /** The most idle connections at which every one of {@code servers} was measured, or 0. */
    static int mostIdle(List<Row> rows, String... servers) {
        return rows.stream().filter(r -> r.ok() && r.point().kind() == Point.Kind.IDLE)
                .mapToInt(r -> r.point().idle()).distinct()
                .filter(n -> java.util.Arrays.stream(servers).allMatch(s -> at(rows, s,
                        p -> p.equals(Point.idle(10, n))).isPresent()))
                .max().orElse(0);
    }

    /**
     * A title for a throughput-vs-idle chart: whether poll and select slow down as idle
     * connections grow while epoll does not, from the numbers.
     */
    static String idle(List<Row> rows, String epoll, String poll, String select) {
        int most = mostIdle(rows, epoll, poll, select);
        Optional<Double> e = kept(rows, epoll, most);
        Optional<Double> p = kept(rows, poll, most);
        Optional<Double> s = kept(rows, select, most);
        if (e.isEmpty() || p.isEmpty() || s.isEmpty()) {
            return "Throughput of 10 active connections as idle ones are added";
        }
        double ek = e.get();
        double pk = p.get();
        double sk = s.get();
        if (ek >= 0.85 && pk < 0.8 * ek && sk < 0.8 * ek) {
            return "poll and select slow down as idle connections grow; epoll does not";
        }
        if (pk < 0.5 * ek && sk < 0.5 * ek) {
            return String.format(Locale.ROOT, "poll and select slow down as idle connections grow; epoll keeps %.0f%%"
                    + " of its speed at %,d", ek * 100, most);
        }
        return String.format(Locale.ROOT, "At %,d idle connections %s kept %.0f%%, %s %.0f%%, %s %.0f%% of its speed",
                most, mux(epoll), ek * 100, mux(poll), pk * 100, mux(select), sk * 100);
    }

    private static String mux(String server) {
        return server.substring(server.indexOf('-') + 1);
    }
}
