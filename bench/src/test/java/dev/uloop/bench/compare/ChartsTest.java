package dev.uloop.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

class ChartsTest {
    private static final List<String> ALL = List.of("uloop-epoll", "uloop-io_uring", "uloop-io_uring-completion",
            "uloop-poll", "uloop-select", "uloop-blocking", "uloop-virtual", "uloop-epoll-2loops", "netty-epoll",
            "netty-nio", "jdk-nio", "sockperf-epoll", "sockperf-poll", "sockperf-select", "seed-select", "seed-poll",
            "seed-epoll");

    private static List<Row> rows(List<String> servers, List<Point> points) {
        List<Row> rows = new ArrayList<>();
        for (String server : servers) {
            boolean c = server.startsWith("sockperf");
            for (Point p : points) {
                rows.add(CompareFixtures.row(server, c, p, 100_000.0 / (1 + p.idle() / 1000.0)));
            }
        }
        return rows;
    }

    @Test
    void theFullRunWritesOneChartPerLessonInPngAndSvg(@TempDir Path dir) throws Exception {
        List<Row> rows = rows(ALL, Point.ALL);
        rows.add(Row.without("sockperf-select", true, Point.idle(10, 5000), Row.Status.FAILED, "too many"));
        List<Path> files = Charts.write(Stats.withRatios(rows), dir, 3);
        assertEquals(Charts.FILES.size(), files.size());
        for (Path f : files) {
            assertTrue(Files.size(f) > 10_000, f + " is too small to hold a chart");
            BufferedImage img = ImageIO.read(f.toFile());
            assertEquals(1320, img.getWidth());
            assertEquals(700, img.getHeight());
            Path svg = dir.resolve(f.getFileName().toString().replace(".png", ".svg"));
            assertTrue(Files.readString(svg).contains("<svg"), svg + " is not an SVG");
        }
    }

    @Test
    void noChartHasMoreThanSevenSeriesOrTwoAlike() {
        List<Row> rows = rows(ALL, Point.ALL);
        for (String file : Charts.FILES) {
            assertThrows(IllegalArgumentException.class, () -> new Charts.Spec(file, "t", "x", "y", p -> true,
                    p -> p.connections(), Row::msgsPerSec, ALL.subList(0, 8), true, false, false));
        }
        // Every pair of servers differs in colour, marker or line: overlapping series stay visible.
        Set<String> looks = new HashSet<>();
        for (String s : ALL) {
            Charts.Look l = Charts.look(s);
            assertTrue(looks.add(l.color() + "/" + l.marker().getClass() + "/" + java.util.Arrays.toString(
                    l.line().getDashArray())), s + " looks like another server");
        }
        assertNotEquals(Charts.look("uloop-poll").color(), Charts.look("uloop-select").color());
        assertEquals(Charts.look("uloop-select").color(), Charts.look("seed-select").color(), "colour = interface");
        assertTrue(rows.size() > 0);
    }

    @Test
    void noChartFromASingleXValue() {
        List<Row> rows = rows(List.of("uloop-epoll", "uloop-poll"), List.of(Point.tcp(64)));
        Charts.Spec spec = new Charts.Spec("f", "t", "x", "y", Charts::active, p -> p.connections(), Row::msgsPerSec,
                List.of("uloop-epoll", "uloop-poll"), true, false, true);
        assertNull(Charts.chart(spec, rows, 3));
        List<Row> failed = List.of(Row.without("uloop-epoll", false, Point.tcp(64), Row.Status.FAILED, "x"));
        assertNull(Charts.chart(spec, failed, 3));
    }

    @Test
    void aFailedPointIsMarkedWithWhyAndLinearAxesStartAtZero() {
        List<Row> rows = rows(List.of("uloop-select", "seed-select"), List.of(Point.idle(10, 0), Point.idle(10, 900)));
        rows.add(Row.without("seed-select", false, Point.idle(10, 3000), Row.Status.FAILED,
                "server exited (status 1) in round 1: ValueError: filedescriptor out of range in select()"));
        rows.add(CompareFixtures.row("uloop-select", false, Point.idle(10, 3000), 50_000));
        Charts.Spec spec = new Charts.Spec("f", "t", "x", "y", p -> p.kind() == Point.Kind.IDLE, p -> p.idle(),
                Row::msgsPerSec, List.of("uloop-select", "seed-select"), false, false, true);
        XYChart chart = Charts.chart(spec, rows, 2);
        assertTrue(chart.getSeriesMap().keySet().stream().anyMatch(k -> k.equals("seeds' select (Python) failed at 3k: select(), fd over 1023")),
                chart.getSeriesMap().keySet().toString());
        assertEquals(0.0, chart.getStyler().getYAxisMin());
        assertEquals("select(): fd over 1023", Findings.reason(rows.get(rows.size() - 2).note()));
        assertEquals(": sockperf's 1,024-socket cap", Findings.legendReason("round 1: sockperf: WARNING: closing a socket"
                + " because we can not accept active_fd_count=1023 MAX_ACTIVE_FD_NUM=1024"));
        assertEquals("", Findings.legendReason("round 1: connection reset"));
        assertEquals(": select(), fd over 1023", Findings.legendReason("server exited with status 134 in round 1:"
                + " *** bit out of range 0 - FD_SETSIZE on fd_set ***: terminated"));
        assertEquals(": dropped connections", Findings.legendReason("lost connections: 25,571 errors in 3 round(s)"
                + " with 10,000 connections (it echoed 42,159 msgs/s on the ones it kept)"));
    }

    @Test
    void tickLabelsAreShort() {
        assertEquals("64", Charts.count(64.0));
        assertEquals("1.5k", Charts.count(1500.0));
        assertEquals("250k", Charts.count(250_000.0));
        assertEquals("2M", Charts.count(2_000_000.0));
    }
}
