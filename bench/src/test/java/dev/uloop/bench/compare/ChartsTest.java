package dev.uloop.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {
    @Test
    void writesThreePngsWithASeriesPerServer(@TempDir Path dir) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (String server : List.of("uloop-epoll", "uloop-select", "sockperf-epoll")) {
            boolean c = server.startsWith("sockperf");
            for (Point p : Point.ALL) {
                rows.add(CompareFixtures.row(server, c, p, 100_000.0 / (1 + p.idle() / 1000.0)));
            }
        }
        rows.add(Row.without("sockperf-select", true, Point.idle(10, 5000), Row.Status.FAILED, "too many"));
        List<Path> files = Charts.write(Stats.withRatios(rows), dir, 3);
        assertEquals(Charts.FILES.size(), files.size());
        for (Path f : files) {
            assertTrue(Files.size(f) > 10_000, f + " is too small to hold a chart");
            BufferedImage img = ImageIO.read(f.toFile());
            assertEquals(1200, img.getWidth());
            assertEquals(700, img.getHeight());
        }
    }

    @Test
    void noChartWithoutNumbers() {
        List<Row> rows = List.of(Row.without("uloop-epoll", false, Point.tcp(64), Row.Status.FAILED, "x"));
        assertNull(Charts.chart("t", "x", "y", rows, p -> true, p -> p.connections(), Row::msgsPerSec, true, false));
    }

    @Test
    void tickLabelsAreShort() {
        assertEquals("64", Charts.count(64.0));
        assertEquals("1.5k", Charts.count(1500.0));
        assertEquals("250k", Charts.count(250_000.0));
        assertEquals("2M", Charts.count(2_000_000.0));
    }
}
