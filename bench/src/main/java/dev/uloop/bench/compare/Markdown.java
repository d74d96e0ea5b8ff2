package dev.uloop.bench.compare;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** results.md and memory.csv. */
final class Markdown {
    private Markdown() {}

    static String results(Report.Run run, List<Path> charts, int rounds) {
        StringBuilder sb = new StringBuilder("# uloop echo comparison\n\n");
        boolean pinned = !"not pinned".equals(run.settings().getOrDefault("server cpu", "not pinned"));
        sb.append("Made by `bench/compare` (see bench/README.md). ")
                .append(pinned ? "Each server ran alone on the server CPU, the load generator on another; "
                        : "Servers and load generator were NOT pinned to CPUs; ")
                .append("every (server, point) ran ").append(rounds)
                .append(" round(s) against a freshly started server, and each number is the median over them.\n\n");
        sb.append("| setting | value |\n|---|---|\n");
        for (Map.Entry<String, String> e : run.settings().entrySet()) {
            sb.append("| ").append(e.getKey()).append(" | ").append(e.getValue().replace("|", "\\|")).append(" |\n");
        }
        if (!run.notes().isEmpty()) {
            sb.append('\n');
            run.notes().forEach(n -> sb.append("* ").append(n).append('\n'));
        }
        if (!run.rows().isEmpty()) {
            sb.append("\n## Results\n\n");
            sb.append("""
                    Columns: **MSGS/S** echoed messages per second (every reply byte checked); **P50/P99/P99.9 us** \
                    round-trip percentiles in microseconds (medians over the rounds); **MAX us** the worst round trip of \
                    any round; **CPU us/msg** the server process's CPU time (user + system, from \
                    /proc, 10 ms ticks) per message; **ERRORS** wrong or lost replies and dropped connections, summed \
                    over the rounds; **GCs** the server's garbage collections during the measured windows, summed over \
                    the rounds (JVM servers; read from the JVM's performance data, as jstat does); **vs C** MSGS/S divided by the fastest sockperf server's MSGS/S at the same point \
                    in this run ("-" without sockperf); **CPU srv/gen** the share of a CPU the server used while measuring \
                    (CPU us/msg x MSGS/S) / the share the load generator's process used over the whole round (1.00 = \
                    one CPU busy all the time: that side is the limit); **NOTE** why a row failed, or what disturbed it.

                    """);
            sb.append(Report.markdownTable(run.rows()));
        }
        if (!charts.isEmpty()) {
            sb.append("\n## Charts\n\n");
            for (Path c : charts) {
                String name = c.getFileName().toString();
                sb.append("![").append(name).append("](").append(name).append(")\n\n");
            }
        }
        if (!run.checks().isEmpty()) {
            sb.append("\n## Load generator check\n\n");
            sb.append("Is the load generator the bottleneck? sockperf's own C client (`sockperf ping-pong --full-rtt`,"
                    + " one socket, one message in flight) and the load generator with one connection, each against"
                    + " sockperf's server (-F epoll) on the server CPU, the client on the other CPU. At many connections"
                    + " see the CPU srv/gen column above: a server near 1.00 CPU is the limit.\n\n");
            sb.append("| transport | sockperf ping-pong msgs/s | p50 us | p99 us | load generator msgs/s | p50 us | p99 us | note |\n"
                    + "|---|--:|--:|--:|--:|--:|--:|---|\n");
            for (LoadgenCheck c : run.checks()) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", c.transport(),
                        Report.fmt("%,.0f", c.sockperfRate()), Report.fmt("%.1f", c.sockperfP50()),
                        Report.fmt("%.1f", c.sockperfP99()), Report.fmt("%,.0f", c.loadgenRate()),
                        Report.fmt("%.1f", c.loadgenP50()), Report.fmt("%.1f", c.loadgenP99()), c.note()));
            }
        }
        if (!run.alloc().isEmpty()) {
            sb.append("\n## Allocation per message\n\n");
            sb.append("Bytes allocated by the server's loop thread per echoed message, in steady state: JFR "
                    + "`jdk.ThreadAllocationStatistics` every 100 ms on the server, growth of the loop thread's "
                    + "allocated bytes inside the generator's measured window over the messages of that time (bytes/msg), "
                    + "and the same from the median 100 ms interval (median bytes/msg: the steady state, without one-off "
                    + "work such as a code path's first use that happens to land in the window).\n\n");
            sb.append("| server | point | thread | bytes/msg | median bytes/msg | bytes | seconds | msgs/s | note |\n"
                    + "|---|---|---|--:|--:|--:|--:|--:|---|\n");
            for (AllocResult a : run.alloc()) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %,d | %.2f | %,.0f | %s |%n", a.server(),
                        a.point().label(), a.thread(), Report.fmt("%.1f", a.bytesPerMsg()),
                        Report.fmt("%.1f", a.medianBytesPerMsg()), a.bytes(), a.seconds(), a.msgsPerSec(), a.note()));
            }
        }
        if (!run.memory().isEmpty()) {
            sb.append("\n## Memory per idle connection\n\n");
            sb.append("The server runs with `-XX:NativeMemoryTracking=summary`; after 20 warm-up echoes, a baseline "
                    + "with no connection, then N silent TCP connections from another process. Heap: live bytes "
                    + "after a full GC (`jcmd PID GC.class_histogram`); native: NMT committed bytes outside the Java "
                    + "heap (`jcmd PID VM.native_memory summary`); RSS: /proc resident set. Each minus the "
                    + "baseline, over N. Kernel socket buffers are not in any of them.\n\n");
            sb.append("| server | idle connections | heap B/conn | native B/conn | RSS B/conn | native grew in | note |\n"
                    + "|---|--:|--:|--:|--:|---|---|\n");
            for (MemoryResult m : run.memory()) {
                sb.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %s |%n", m.server(),
                        m.connections(), Report.fmt("%,.0f", m.heapPerConn()), Report.fmt("%,.0f", m.nativePerConn()),
                        Report.fmt("%,.0f", m.rssPerConn()), m.nativeBreakdown(), m.note()));
            }
        }
        return sb.toString();
    }

    static String memoryCsv(List<MemoryResult> memory) {
        StringBuilder sb = new StringBuilder("server,connections,heap_bytes,native_bytes,rss_bytes,heap_per_conn,"
                + "native_per_conn,rss_per_conn,native_breakdown,note\n");
        for (MemoryResult m : memory) {
            sb.append(String.join(",", m.server(), Integer.toString(m.connections()), Long.toString(m.heapBytes()),
                    Long.toString(m.nativeBytes()), Long.toString(m.rssBytes()), num(m.heapPerConn()),
                    num(m.nativePerConn()), num(m.rssPerConn()), Report.csvText(m.nativeBreakdown()),
                    Report.csvText(m.note()))).append('\n');
        }
        return sb.toString();
    }

    private static String num(double d) {
        return Double.isNaN(d) ? "" : String.format(Locale.ROOT, "%.1f", d);
    }

    /**
     * A results.md with its results table made again from {@code rows} (for {@code --replot}):
     * the table under "## Results" is replaced, the rest is kept as it was.
     *
     * @param md   the text of a results.md
     * @param rows the rows
     * @return the new text, or {@code md} itself when it has no results table
     */
    static String withTable(String md, List<Row> rows) {
        List<String> lines = md.lines().toList();
        int results = lines.indexOf("## Results");
        int start = -1;
        for (int i = results + 1; results >= 0 && i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            if (lines.get(i).startsWith("| POINT |")) {
                start = i;
                break;
            }
        }
        if (start < 0) {
            return md;
        }
        int end = start;
        while (end < lines.size() && lines.get(end).startsWith("|")) {
            end++;
        }
        StringBuilder sb = new StringBuilder();
        lines.subList(0, start).forEach(l -> sb.append(l).append('\n'));
        sb.append(Report.markdownTable(rows));
        lines.subList(end, lines.size()).forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }
}
