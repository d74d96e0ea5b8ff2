package dev.uloop.bench.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The lesson's reading: plain sentences generated from the measured values, each left out
 * when its numbers are missing, and each comparison marked when it is within the run's noise.
 */
final class Reading {
    private Reading() {}

    private static final Point ONE = Point.tcp(1);
    private static final Point HUNDRED = Point.tcp(100);
    private static final Point THOUSAND = Point.tcp(1000);

    /**
     * The reading.
     *
     * @param rows   the lesson's rows
     * @param memory memory per idle connection
     * @return paragraphs, one per finding
     */
    static List<String> of(List<Row> rows, List<MemoryResult> memory) {
        List<String> out = new ArrayList<>();
        blockingAgainstLoop(rows).ifPresent(out::add);
        oneConnection(rows).ifPresent(out::add);
        idle(rows).ifPresent(out::add);
        seeds(rows).ifPresent(out::add);
        cpu(rows).ifPresent(out::add);
        memory(memory).ifPresent(out::add);
        noise(rows).ifPresent(out::add);
        return out;
    }

    private static Optional<Row> row(List<Row> rows, String server, Point p) {
        return Findings.at(rows, server, p::equals);
    }

    private static String label(String server) {
        return Charts.look(server).label();
    }

    /** "61% of uloop epoll", or "level with uloop epoll (within noise)". */
    private static String against(Row r, Row ref) {
        if (Findings.withinNoise(r, ref)) {
            return "level with " + label(ref.server()) + " (within noise)";
        }
        double share = 100 * r.msgsPerSec() / ref.msgsPerSec();
        return String.format(Locale.ROOT, share < 10 ? "%.1f%% of %s" : "%.0f%% of %s", share, label(ref.server()));
    }

    private static Optional<String> blockingAgainstLoop(List<Row> rows) {
        Optional<Row> epoll = row(rows, "uloop-epoll", THOUSAND);
        if (epoll.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "With 1,000 active connections, one uloop loop on epoll echoed %,.0f messages a second.",
                epoll.get().msgsPerSec()));
        row(rows, "uloop-blocking", THOUSAND).ifPresent(b -> sb.append(String.format(Locale.ROOT,
                " Blocking I/O with a platform thread per connection served %,.0f, %s, with 1,000 threads.",
                b.msgsPerSec(), against(b, epoll.get()))));
        row(rows, "uloop-virtual", THOUSAND).ifPresent(v -> {
            double share = v.msgsPerSec() / epoll.get().msgsPerSec();
            sb.append(String.format(Locale.ROOT, " On virtual threads it served %,.0f, %s%s.", v.msgsPerSec(),
                    against(v, epoll.get()), share >= 0.8 || Findings.withinNoise(v, epoll.get())
                            ? ": blocking code on virtual threads is competitive here" : ""));
        });
        return Optional.of(sb.toString());
    }

    private static Optional<String> oneConnection(List<Row> rows) {
        Optional<Row> epoll = row(rows, "uloop-epoll", ONE);
        Optional<Row> blocking = row(rows, "uloop-blocking", ONE);
        if (epoll.isEmpty() || blocking.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "With one connection there is nothing to multiplex: every"
                        + " server waits for the round trip (p50 %.0f us on epoll, %.0f us blocking), and blocking"
                        + " I/O served %s.", epoll.get().p50(), blocking.get().p50(),
                against(blocking.get(), epoll.get())));
    }

    private static Optional<String> idle(List<Row> rows) {
        int most = rows.stream().filter(r -> r.ok() && r.server().equals("uloop-epoll")
                && r.point().kind() == Point.Kind.IDLE).mapToInt(r -> r.point().idle()).max().orElse(0);
        Optional<Row> epoll = row(rows, "uloop-epoll", Point.idle(10, most));
        if (most == 0 || epoll.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "With %,d idle connections beside 10 active ones, uloop on epoll served %,.0f messages a second",
                most, epoll.get().msgsPerSec()));
        Findings.kept(rows, "uloop-epoll", most).ifPresent(k -> sb.append(String.format(Locale.ROOT,
                " (%.0f%% of its speed with none idle)", k * 100)));
        sb.append(';');
        List<String> parts = new ArrayList<>();
        for (String s : List.of("uloop-poll", "uloop-select", "uloop-io_uring")) {
            row(rows, s, Point.idle(10, most)).ifPresent(r -> parts.add(String.format(Locale.ROOT, " %s served %s",
                    label(s), against(r, epoll.get()))));
        }
        sb.append(String.join(",", parts)).append('.');
        sb.append(" poll and select hand the kernel every descriptor on every call and scan the answer;"
                + " epoll and io_uring report only the ready ones.");
        return Optional.of(sb.toString());
    }

    private static Optional<String> seeds(List<Row> rows) {
        List<String> parts = new ArrayList<>();
        rows.stream().filter(r -> r.server().equals("seed-select") && r.status() == Row.Status.FAILED)
                .min((a, b) -> Integer.compare(a.point().tcpConnections(), b.point().tcpConnections()))
                .ifPresent(f -> {
                    String uloop = row(rows, "uloop-select", f.point()).map(u -> String.format(Locale.ROOT,
                            "; uloop's select served the same point at %,.0f messages a second", u.msgsPerSec()))
                            .orElse("");
                    parts.add(String.format(Locale.ROOT, "The seeds' select server (Python) failed at %,d connections:"
                            + " %s%s.", f.point().tcpConnections(), f.note().contains("out of range in select")
                            ? "select() takes no descriptor numbered 1024 or more (FD_SETSIZE)"
                            : Findings.reason(f.note()), uloop));
                });
        Optional<Row> py = row(rows, "seed-epoll", HUNDRED);
        Optional<Row> java = row(rows, "uloop-epoll", HUNDRED);
        if (py.isPresent() && java.isPresent()) {
            parts.add(String.format(Locale.ROOT, "At 100 active connections the seeds' epoll server in Python served"
                            + " %,.0f messages a second, %s, at %s us of CPU per message.", py.get().msgsPerSec(),
                    against(py.get(), java.get()), Report.fmt("%.1f", py.get().cpuUsPerMsg())));
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of(String.join(" ", parts));
    }

    private static Optional<String> cpu(List<Row> rows) {
        List<String> parts = new ArrayList<>();
        for (String s : Lesson.SERVERS) {
            row(rows, s, HUNDRED).filter(r -> !Double.isNaN(r.cpuUsPerMsg()))
                    .ifPresent(r -> parts.add(String.format(Locale.ROOT, "%s %.1f us", label(s), r.cpuUsPerMsg())));
        }
        if (parts.size() < 2) {
            return Optional.empty();
        }
        return Optional.of("Server CPU time per message at 100 active connections: " + String.join(", ", parts)
                + ".");
    }

    private static Optional<String> memory(List<MemoryResult> memory) {
        List<String> parts = new ArrayList<>();
        for (MemoryResult m : memory) {
            if (m.rssBytes() > 0) {
                parts.add(String.format(Locale.ROOT, "%s %s", label(m.server()),
                        Lesson.bytes(m.heapPerConn() + m.nativePerConn())));
            }
        }
        if (parts.size() < 2) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "An idle connection cost (Java heap and native memory, %,d held"
                + " open): %s.", memory.get(0).connections(), String.join(", ", parts)));
    }

    private static Optional<String> noise(List<Row> rows) {
        double[] spreads = rows.stream().filter(r -> r.ok() && r.roundMsgs().size() > 1)
                .mapToDouble(Findings::spread).sorted().toArray();
        if (spreads.length == 0) {
            return Optional.empty();
        }
        double median = spreads[spreads.length / 2];
        double worst = Arrays.stream(spreads).max().orElse(0);
        return Optional.of(String.format(Locale.ROOT, "Noise: a round differed from its point's median by %.0f%% in"
                + " the median and %.0f%% at worst; differences smaller than that say nothing on this machine.",
                median * 100, worst * 100));
    }
}
