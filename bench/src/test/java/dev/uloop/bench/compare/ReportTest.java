package dev.uloop.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
    private final List<Row> rows = Stats.withRatios(CompareFixtures.rows());

    @Test
    void tableAlignsColumnsAndSeparatesPoints() {
        String t = Report.table(rows);
        List<String> lines = t.lines().toList();
        assertTrue(lines.get(0).startsWith("POINT"), t);
        int msgs = lines.get(0).indexOf("MSGS/S") + "MSGS/S".length();
        // Right-aligned numbers end where the header does.
        assertEquals("150,000", lines.get(1).substring(msgs - "150,000".length(), msgs), t);
        assertTrue(lines.get(1).contains("0.75"), t);
        assertTrue(lines.get(1).contains("0.75/0.90"), "CPU srv/gen: " + t);
        assertTrue(lines.contains(""), "a blank line between points: " + t);
        String failed = lines.get(lines.size() - 1);
        assertTrue(failed.contains("sockperf-select") && failed.contains("failed")
                && failed.contains("WARNING: closing a socket"), failed);
    }

    @Test
    void csvHasOneLinePerRowAndEmptyCellsForUnknowns() {
        String csv = Report.csv(rows);
        List<String> lines = csv.lines().toList();
        assertEquals(rows.size() + 1, lines.size());
        String[] head = lines.get(0).split(",");
        assertEquals("point", head[0]);
        int ratio = List.of(head).indexOf("ratio_vs_c");
        assertEquals("0.750", lines.get(1).split(",", -1)[ratio]);
        assertEquals("", lines.get(5).split(",", -1)[ratio]);
        assertTrue(lines.get(6).startsWith("tcp-1000,tcp,1000,0,sockperf-select,failed,0,"), lines.get(6));
        assertEquals("\"a,b\"", Report.csvText("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", Report.csvText("say \"hi\""));
    }

    @Test
    void csvReadsBackForReplotting() {
        List<Row> back = Report.parseCsv(Report.csv(rows));
        assertEquals(rows.size(), back.size());
        for (int i = 0; i < rows.size(); i++) {
            Row a = rows.get(i);
            Row b = back.get(i);
            assertEquals(a.server(), b.server());
            assertEquals(a.point(), b.point());
            assertEquals(a.status(), b.status());
            assertEquals(a.note(), b.note());
            assertEquals(a.roundMsgs(), b.roundMsgs());
            assertEquals(a.msgsPerSec(), b.msgsPerSec(), 1e-3);
            assertEquals(a.p999(), b.p999(), 1e-3);
            assertEquals(a.max(), b.max(), 1e-3);
            assertEquals(a.ratio(), b.ratio(), 1e-3);
        }
        assertEquals(List.of(List.of("a", "b,c", "say \"hi\"", "")), Report.csvRecords("a,\"b,c\",\"say \"\"hi\"\"\",\n"));
    }

    @Test
    void csvOfAnEarlierVersionReadsBackWithTheLaterColumnsUnknown() {
        // A results.csv written before the p99.9, max and GC columns existed (committed runs are redrawn from theirs).
        String old = """
                point,transport,connections,idle,server,status,rounds,msgs_per_sec,p50_us,p99_us,cpu_us_per_msg,errors,\
                ratio_vs_c,round_msgs_per_sec,server_cpus,loadgen_cpus,other_cpus,note
                tcp-64,tcp,64,0,uloop-epoll,ok,2,150000.000,40.000,90.000,5.000,0,0.750,149000;151000,0.750,0.900,0.010,
                """;
        Row r = Report.parseCsv(old).get(0);
        assertEquals(150_000, r.msgsPerSec(), 1e-3);
        assertEquals(90, r.p99(), 1e-3);
        assertTrue(Double.isNaN(r.p999()) && Double.isNaN(r.max()) && Double.isNaN(r.gcs()), r.toString());
        assertThrows(IllegalArgumentException.class, () -> Report.parseCsv("point,transport\ntcp-64,tcp\n"));
    }

    @Test
    void replottingReplacesOnlyTheResultsTableOfResultsMd() {
        String md = "# run\n\n## Results\n\nColumns: ...\n\n| POINT | old |\n|---|---|\n| tcp 64 | x |\n\n## Charts\n\n"
                + "| not | this |\n";
        String out = Markdown.withTable(md, rows);
        assertTrue(out.startsWith("# run\n\n## Results\n\nColumns: ...\n\n| POINT | SERVER |"), out);
        assertTrue(out.contains("| tcp 64 | uloop-epoll | 150,000 |"), out);
        assertTrue(!out.contains("| tcp 64 | x |"), out);
        assertTrue(out.endsWith("\n\n## Charts\n\n| not | this |\n"), out);
        assertEquals("no table\n", Markdown.withTable("no table\n", rows));
    }

    @Test
    void markdownTableHasHeaderSeparatorAndRows() {
        String md = Report.markdownTable(rows);
        List<String> lines = md.lines().toList();
        assertEquals(rows.size() + 2, lines.size());
        assertTrue(lines.get(1).startsWith("|---|---|--:"));
        assertEquals(lines.get(0).chars().filter(c -> c == '|').count(),
                lines.get(1).chars().filter(c -> c == '|').count());
    }

    @Test
    void jsonIsBalancedAndEscaped() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("command", "bench/compare --servers \"uloop-*\"");
        String json = Report.json(new Report.Run(settings, List.of("a\nb"), rows,
                List.of(new LoadgenCheck("tcp", 18_000, 50, 80, 15_000, 55, 130, "")),
                List.of(new AllocResult("uloop-epoll", Point.tcp(64), "uloop-echo", 0.0, 0.0, 0, 1.6, 150_000, "")),
                List.of(new MemoryResult("uloop-epoll", 1000, 1, 2, 3, 280, 40, Double.NaN, "-", ""))));
        assertEquals(json.chars().filter(c -> c == '{').count(), json.chars().filter(c -> c == '}').count());
        assertEquals(json.chars().filter(c -> c == '[').count(), json.chars().filter(c -> c == ']').count());
        assertTrue(json.contains("\"command\": \"bench/compare --servers \\\"uloop-*\\\"\""), json);
        assertTrue(json.contains("\"a\\nb\""), json);
        assertTrue(json.contains("\"ratio_vs_c\": 0.750"), json);
        assertTrue(json.contains("\"ratio_vs_c\": null"), json);
        assertTrue(json.contains("\"round_msgs_per_sec\": [150000.000]"), json);
        assertTrue(json.contains("\"rss_per_conn\": null"), json);
    }

    @Test
    void numbersFormatWithoutLocaleSurprises() {
        assertEquals("-", Report.fmt("%.2f", Double.NaN));
        assertEquals("1,234,567", Report.fmt("%,.0f", 1_234_567.0));
        assertEquals("2.50", Report.fmt("%.2f", 2.5));
    }
}
