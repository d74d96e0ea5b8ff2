package dev.uloop.bench.compare;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The comparison's output: a text table, Markdown, CSV and JSON. */
public final class Report {
    private Report() {}

    /** Everything a run produced, for the files. */
    public record Run(Map<String, String> settings, List<String> notes, List<Row> rows, List<LoadgenCheck> checks,
                      List<AllocResult> alloc, List<MemoryResult> memory) {}

    private static final String[] HEAD = {"POINT", "SERVER", "MSGS/S", "P50 us", "P99 us", "P99.9 us", "MAX us",
        "CPU us/msg", "ERRORS", "GCs", "vs C", "CPU srv/gen", "NOTE"};

    /** The cells of one row, as the tables show them. */
    static String[] cells(Row r) {
        String note = r.note() == null ? "" : r.note();
        if (!r.ok()) {
            String what = r.status() == Row.Status.FAILED ? "failed" : "skipped";
            return new String[] {r.point().label(), r.server(), what, "-", "-", "-", "-", "-", "-", "-", "-", "-", note};
        }
        return new String[] {r.point().label(), r.server(), fmt("%,.0f", r.msgsPerSec()), fmt("%.1f", r.p50()),
            fmt("%.1f", r.p99()), fmt("%.1f", r.p999()), fmt("%,.0f", r.max()), fmt("%.2f", r.cpuUsPerMsg()),
            Long.toString(r.errors()), fmt("%.0f", r.gcs()), fmt("%.2f", r.ratio()),
            fmt("%.2f", r.serverCpus()) + "/" + fmt("%.2f", r.genCpus()), note};
    }

    static String fmt(String format, double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, format, v);
    }

    /** A plain-text table with aligned columns; a blank line between points. */
    public static String table(List<Row> rows) {
        List<String[]> all = new ArrayList<>();
        all.add(HEAD);
        rows.forEach(r -> all.add(cells(r)));
        int[] w = widths(all);
        boolean[] right = {false, false, true, true, true, true, true, true, true, true, true, true, false};
        StringBuilder sb = new StringBuilder();
        String lastPoint = null;
        for (int i = 0; i < all.size(); i++) {
            String[] c = all.get(i);
            if (i > 1 && !c[0].equals(lastPoint)) {
                sb.append('\n');
            }
            lastPoint = c[0];
            StringBuilder line = new StringBuilder();
            for (int k = 0; k < c.length; k++) {
                String cell = c[k];
                if (k == c.length - 1) {
                    line.append(cell);
                } else {
                    line.append(right[k] ? pad(cell, w[k], true) : pad(cell, w[k], false)).append("  ");
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    private static int[] widths(List<String[]> all) {
        int[] w = new int[HEAD.length];
        for (String[] c : all) {
            for (int k = 0; k < c.length; k++) {
                w[k] = Math.max(w[k], c[k].length());
            }
        }
        return w;
    }

    private static String pad(String s, int width, boolean right) {
        if (s.length() >= width) {
            return s;
        }
        String sp = " ".repeat(width - s.length());
        return right ? sp + s : s + sp;
    }

    /** A Markdown table. */
    public static String markdownTable(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append('|');
        for (String h : HEAD) {
            sb.append(' ').append(h).append(" |");
        }
        sb.append("\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
        for (Row r : rows) {
            sb.append('|');
            for (String c : cells(r)) {
                sb.append(' ').append(c.replace("|", "\\|")).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static final String[] CSV = {"point", "transport", "connections", "idle", "server", "status", "rounds",
        "msgs_per_sec", "p50_us", "p99_us", "cpu_us_per_msg", "errors", "ratio_vs_c", "round_msgs_per_sec",
        "server_cpus", "loadgen_cpus", "other_cpus", "note", "p999_us", "max_us", "gcs", "gc_ms"};
    /** The columns a results.csv has had from the start; the later ones may be missing (then unknown). */
    private static final int FIRST_COLUMNS = 18;

    private static Object[] values(Row r) {
        return new Object[] {r.point().id(), r.point().udp() ? "udp" : "tcp", r.point().connections(), r.point().idle(),
            r.server(), r.status().name().toLowerCase(Locale.ROOT), r.roundMsgs().size(), r.msgsPerSec(), r.p50(),
            r.p99(), r.cpuUsPerMsg(), r.errors(), r.ratio(), String.join(";",
                    r.roundMsgs().stream().map(d -> String.format(Locale.ROOT, "%.0f", d)).toList()), r.serverCpus(), r.genCpus(),
            r.otherCpu(), r.note(), r.p999(), r.max(), r.gcs(), r.gcMillis()};
    }

    /** CSV with a header line; empty cells for unknown numbers. */
    public static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder(String.join(",", CSV)).append('\n');
        for (Row r : rows) {
            Object[] v = values(r);
            for (int i = 0; i < v.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(v[i] instanceof Double d ? (d.isNaN() || d.isInfinite() ? "" : String.format(Locale.ROOT, "%.3f", d))
                        : csvText(String.valueOf(v[i])));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * Reads the rows back from {@link #csv} (for {@code --replot}); the ratio is read, not
     * recomputed.
     *
     * @param csv the text of a results.csv
     * @return the rows
     * @throws IllegalArgumentException for a point id or a header it does not know
     */
    public static List<Row> parseCsv(String csv) {
        List<List<String>> lines = csvRecords(csv);
        if (lines.isEmpty() || lines.get(0).size() < FIRST_COLUMNS
                || !lines.get(0).equals(List.of(CSV).subList(0, lines.get(0).size()))) {
            throw new IllegalArgumentException("not a results.csv of this version (header " + (lines.isEmpty() ? "missing"
                    : String.join(",", lines.get(0))) + ")");
        }
        List<Row> rows = new ArrayList<>();
        for (List<String> c : lines.subList(1, lines.size())) {
            Map<String, String> v = new LinkedHashMap<>();
            for (int i = 0; i < CSV.length; i++) {
                v.put(CSV[i], i < c.size() ? c.get(i) : "");
            }
            Point point = Point.ALL.stream().filter(p -> p.id().equals(v.get("point"))).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown point " + v.get("point")));
            Row.Status status = Row.Status.valueOf(v.get("status").toUpperCase(Locale.ROOT));
            List<Double> rounds = v.get("round_msgs_per_sec").isEmpty() ? List.of()
                    : java.util.Arrays.stream(v.get("round_msgs_per_sec").split(";")).map(Double::valueOf).toList();
            rows.add(new Row(v.get("server"), v.get("server").startsWith("sockperf"), point, status, v.get("note"),
                    rounds, num(v.get("msgs_per_sec")), num(v.get("p50_us")), num(v.get("p99_us")), num(v.get("p999_us")),
                    num(v.get("max_us")), num(v.get("cpu_us_per_msg")),
                    v.get("errors").isEmpty() ? 0 : Long.parseLong(v.get("errors")), num(v.get("gcs")), num(v.get("gc_ms")),
                    num(v.get("server_cpus")), num(v.get("loadgen_cpus")), num(v.get("other_cpus")),
                    num(v.get("ratio_vs_c"))));
        }
        return rows;
    }

    private static double num(String s) {
        return s == null || s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }

    /** RFC 4180-ish: commas, double quotes with "" inside, no line breaks inside cells. */
    static List<List<String>> csvRecords(String csv) {
        List<List<String>> out = new ArrayList<>();
        for (String line : csv.lines().toList()) {
            if (line.isEmpty()) {
                continue;
            }
            List<String> cells = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char ch = line.charAt(i);
                if (quoted) {
                    if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else if (ch == '"') {
                        quoted = false;
                    } else {
                        cell.append(ch);
                    }
                } else if (ch == '"') {
                    quoted = true;
                } else if (ch == ',') {
                    cells.add(cell.toString());
                    cell.setLength(0);
                } else {
                    cell.append(ch);
                }
            }
            cells.add(cell.toString());
            out.add(cells);
        }
        return out;
    }

    static String csvText(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** JSON: {@code {"settings": {...}, "notes": [...], "rows": [...], "allocation": [...], "memory": [...]}}. */
    public static String json(Run run) {
        StringBuilder sb = new StringBuilder("{\n  \"settings\": {");
        int i = 0;
        for (Map.Entry<String, String> e : run.settings().entrySet()) {
            sb.append(i++ == 0 ? "\n    " : ",\n    ").append(str(e.getKey())).append(": ").append(str(e.getValue()));
        }
        sb.append("\n  },\n  \"notes\": [");
        for (int k = 0; k < run.notes().size(); k++) {
            sb.append(k == 0 ? "\n    " : ",\n    ").append(str(run.notes().get(k)));
        }
        sb.append("\n  ],\n  \"rows\": [");
        for (int k = 0; k < run.rows().size(); k++) {
            Object[] v = values(run.rows().get(k));
            Map<String, Object> m = new LinkedHashMap<>();
            for (int c = 0; c < CSV.length; c++) {
                m.put(CSV[c], CSV[c].equals("round_msgs_per_sec") ? run.rows().get(k).roundMsgs() : v[c]);
            }
            sb.append(k == 0 ? "\n    " : ",\n    ").append(object(m));
        }
        sb.append("\n  ],\n  \"loadgen_check\": [");
        for (int k = 0; k < run.checks().size(); k++) {
            LoadgenCheck c = run.checks().get(k);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("transport", c.transport());
            m.put("sockperf_pingpong_msgs_per_sec", c.sockperfRate());
            m.put("sockperf_pingpong_p50_us", c.sockperfP50());
            m.put("sockperf_pingpong_p99_us", c.sockperfP99());
            m.put("loadgen_msgs_per_sec", c.loadgenRate());
            m.put("loadgen_p50_us", c.loadgenP50());
            m.put("loadgen_p99_us", c.loadgenP99());
            m.put("note", c.note());
            sb.append(k == 0 ? "\n    " : ",\n    ").append(object(m));
        }
        sb.append("\n  ],\n  \"allocation\": [");
        for (int k = 0; k < run.alloc().size(); k++) {
            AllocResult a = run.alloc().get(k);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("server", a.server());
            m.put("point", a.point().id());
            m.put("thread", a.thread());
            m.put("bytes_per_msg", a.bytesPerMsg());
            m.put("median_interval_bytes_per_msg", a.medianBytesPerMsg());
            m.put("bytes", a.bytes());
            m.put("seconds", a.seconds());
            m.put("msgs_per_sec", a.msgsPerSec());
            m.put("note", a.note());
            sb.append(k == 0 ? "\n    " : ",\n    ").append(object(m));
        }
        sb.append("\n  ],\n  \"memory\": [");
        for (int k = 0; k < run.memory().size(); k++) {
            MemoryResult r = run.memory().get(k);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("server", r.server());
            m.put("connections", r.connections());
            m.put("heap_bytes", r.heapBytes());
            m.put("native_bytes", r.nativeBytes());
            m.put("rss_bytes", r.rssBytes());
            m.put("heap_per_conn", r.heapPerConn());
            m.put("native_per_conn", r.nativePerConn());
            m.put("rss_per_conn", r.rssPerConn());
            m.put("native_breakdown", r.nativeBreakdown());
            m.put("note", r.note());
            sb.append(k == 0 ? "\n    " : ",\n    ").append(object(m));
        }
        return sb.append("\n  ]\n}\n").toString();
    }

    private static String object(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder("{");
        int i = 0;
        for (Map.Entry<String, Object> e : m.entrySet()) {
            sb.append(i++ == 0 ? "" : ", ").append(str(e.getKey())).append(": ").append(value(e.getValue()));
        }
        return sb.append('}').toString();
    }

    private static String value(Object v) {
        if (v instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.3f", d);
        }
        if (v instanceof Number n) {
            return n.toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(value(l.get(i)));
            }
            return sb.append(']').toString();
        }
        return v == null ? "null" : str(String.valueOf(v));
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** The allocation lines of the text output. */
    public static String allocTable(List<AllocResult> alloc) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-14s %-8s %-34s %10s %14s  %s%n", "SERVER",
                "POINT", "THREAD", "B/msg", "median B/msg", "(bytes in window, seconds, msgs/s)"));
        for (AllocResult a : alloc) {
            sb.append(String.format(Locale.ROOT, "%-14s %-8s %-34s %10s %14s  (%,d B in %.2f s at %,.0f msgs/s)%s%n",
                    a.server(), a.point().label(), a.thread(), fmt("%.1f", a.bytesPerMsg()),
                    fmt("%.1f", a.medianBytesPerMsg()), a.bytes(), a.seconds(), a.msgsPerSec(),
                    a.note().isEmpty() ? "" : "  " + a.note()));
        }
        return sb.toString();
    }

    /** The load generator check's lines. */
    public static String checkTable(List<LoadgenCheck> checks) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-5s %24s %12s %12s %22s %12s %12s%n",
                "PROT", "sockperf ping-pong msgs/s", "p50 us", "p99 us", "load generator msgs/s", "p50 us", "p99 us"));
        for (LoadgenCheck c : checks) {
            sb.append(String.format(Locale.ROOT, "%-5s %24s %12s %12s %22s %12s %12s%s%n", c.transport(),
                    fmt("%,.0f", c.sockperfRate()), fmt("%.1f", c.sockperfP50()), fmt("%.1f", c.sockperfP99()),
                    fmt("%,.0f", c.loadgenRate()), fmt("%.1f", c.loadgenP50()), fmt("%.1f", c.loadgenP99()),
                    c.note().isEmpty() ? "" : "  " + c.note()));
        }
        return sb.toString();
    }

    /** The memory lines of the text output. */
    public static String memoryTable(List<MemoryResult> memory) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-14s %7s %12s %14s %12s  %s%n",
                "SERVER", "IDLE", "HEAP B/conn", "NATIVE B/conn", "RSS B/conn", "NATIVE GREW IN (NMT)"));
        for (MemoryResult m : memory) {
            sb.append(String.format(Locale.ROOT, "%-14s %,7d %12s %14s %12s  %s%s%n", m.server(), m.connections(),
                    fmt("%,.0f", m.heapPerConn()), fmt("%,.0f", m.nativePerConn()), fmt("%,.0f", m.rssPerConn()),
                    m.nativeBreakdown(), m.note().isEmpty() ? "" : "  (" + m.note() + ")"));
        }
        return sb.toString();
    }
}
