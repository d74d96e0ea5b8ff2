package dev.uloop.bench.compare;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.style.Styler;

/**
 * {@code bench/compare --lesson}: the seeds' argument measured on the reader's machine in
 * about five minutes. The same echo load against a blocking server (platform and virtual
 * threads), uloop on select, poll, epoll and io_uring, and the seeds' own Python servers;
 * four charts, one lesson each, and a reading written from the numbers.
 */
final class Lesson {
    private Lesson() {}

    /** The servers, in the seeds' order: blocking first, then select, poll, epoll, and beyond. */
    static final List<String> SERVERS = List.of("uloop-blocking", "uloop-virtual", "uloop-select", "uloop-poll",
            "uloop-epoll", "uloop-io_uring", "uloop-io_uring-completion", "seed-select", "seed-poll", "seed-epoll");

    /**
     * The points: active connections from 1 to 1,000 (10 active with none idle is shared with
     * the idle series), and 10 active beside 900 (select still fits), 3,000 and 10,000 idle.
     */
    static final List<Point> POINTS = List.of(Point.tcp(1), Point.idle(10, 0), Point.tcp(100), Point.tcp(1000),
            Point.idle(10, 900), Point.idle(10, 3000), Point.idle(10, 10_000));

    /** Rounds per point: two, so that the spread between them can be shown. */
    static final int ROUNDS = 2;
    static final Duration WARMUP = Duration.ofMillis(1500);
    static final Duration DURATION = Duration.ofSeconds(1);
    /** Memory per idle connection: an event loop against a thread per connection. */
    static final String MEMORY_SERVERS = "uloop-epoll,uloop-blocking,uloop-virtual";
    static final int MEMORY_CONNECTIONS = 2000;

    /** The chart files, without extension. */
    static final List<String> FILES = List.of("lesson-active", "lesson-idle", "lesson-p99", "lesson-memory");

    private static final List<String> ACTIVE = List.of("uloop-blocking", "uloop-virtual", "uloop-select",
            "uloop-poll", "uloop-epoll", "uloop-io_uring-completion", "seed-epoll");
    private static final List<String> IDLE = List.of("uloop-select", "uloop-poll", "uloop-epoll", "uloop-io_uring",
            "seed-select", "seed-poll", "seed-epoll");

    /**
     * Whether a server runs at a point: each chart's servers at its points (10 active with
     * none idle is on both), so that no time goes to numbers no chart or sentence shows.
     */
    static boolean runs(String server, Point p) {
        boolean onActive = ACTIVE.contains(server) && Charts.active(p);
        boolean onIdle = IDLE.contains(server) && p.kind() == Point.Kind.IDLE;
        return onActive || onIdle || !SERVERS.contains(server);
    }

    /** The lesson's servers that this machine has, in order. */
    static List<ServerDef> servers(List<ServerDef> catalogue) {
        List<ServerDef> out = new ArrayList<>();
        for (String id : SERVERS) {
            catalogue.stream().filter(d -> d.id().equals(id)).findFirst().ifPresent(out::add);
        }
        return out;
    }

    /**
     * Writes the lesson's charts.
     *
     * @return the PNG files written
     */
    static List<Path> charts(List<Row> rows, List<MemoryResult> memory, Path dir) throws IOException {
        Predicate<Point> active = Charts::active;
        Predicate<Point> idle = p -> p.kind() == Point.Kind.IDLE;
        List<Charts.Spec> specs = List.of(
                new Charts.Spec(FILES.get(0), activeTitle(rows),
                        "active connections (log scale; 64-byte ping-pong)", "messages/s",
                        active, p -> p.connections(), Row::msgsPerSec, ACTIVE, true, false, true),
                new Charts.Spec(FILES.get(1), Findings.idle(rows, "uloop-epoll", "uloop-poll", "uloop-select"),
                        "idle connections beside 10 active ones", "msgs/s of the 10 active", idle,
                        p -> p.idle(), Row::msgsPerSec, IDLE, false, false, true),
                new Charts.Spec(FILES.get(2), "Round trip (p99) as active connections grow",
                        "active connections (log scale)", "p99 round trip, us (log scale)", active,
                        p -> p.connections(), Row::p99, ACTIVE, true, true, false));
        List<Path> out = new ArrayList<>();
        for (Charts.Spec s : specs) {
            Path f = Charts.save(Charts.chart(s, rows, ROUNDS), dir, s.file());
            if (f != null) {
                out.add(f);
            }
        }
        Path m = memoryChart(memory, dir);
        if (m != null) {
            out.add(m);
        }
        return out;
    }

    private static String activeTitle(List<Row> rows) {
        Optional<Row> epoll = Findings.at(rows, "uloop-epoll", p -> p.equals(Point.tcp(1000)));
        Optional<Row> blocking = Findings.at(rows, "uloop-blocking", p -> p.equals(Point.tcp(1000)));
        if (epoll.isPresent() && blocking.isPresent()) {
            double r = epoll.get().msgsPerSec() / blocking.get().msgsPerSec();
            if (Findings.withinNoise(epoll.get(), blocking.get())) {
                return "At 1,000 connections a thread per connection keeps up with epoll (within noise)";
            }
            return String.format(Locale.ROOT, "At 1,000 connections one epoll loop serves %.1fx what a thread per"
                    + " connection serves", r);
        }
        return Findings.fastest(rows, Charts::active, ACTIVE, "each way of serving");
    }

    /** Bytes per idle connection as bars: heap and native memory of an event loop against threads. */
    private static Path memoryChart(List<MemoryResult> memory, Path dir) throws IOException {
        List<MemoryResult> ok = memory.stream().filter(m -> m.note().isEmpty() || m.rssBytes() > 0).toList();
        if (ok.size() < 2) {
            return null;
        }
        List<String> names = ok.stream().map(m -> Charts.look(m.server()).label()).toList();
        List<Double> heap = ok.stream().map(m -> Math.max(0, m.heapPerConn()) / 1024).toList();
        List<Double> natives = ok.stream().map(m -> Math.max(0, m.nativePerConn()) / 1024).toList();
        MemoryResult loop = ok.stream().filter(m -> m.server().equals("uloop-epoll")).findFirst().orElse(null);
        MemoryResult threads = ok.stream().filter(m -> m.server().equals("uloop-blocking")).findFirst().orElse(null);
        String title = "Memory per idle connection (" + String.format(Locale.ROOT, "%,d", ok.get(0).connections())
                + " held open)";
        if (loop != null && threads != null) {
            double l = loop.heapPerConn() + loop.nativePerConn();
            double t = threads.heapPerConn() + threads.nativePerConn();
            title = String.format(Locale.ROOT, "An idle connection costs an event loop %s, a platform thread %s",
                    bytes(l), bytes(t));
        }
        CategoryChart chart = new CategoryChartBuilder().width(1200).height(700).title(title)
                .xAxisTitle("server").yAxisTitle("KiB per idle connection (after a full GC, minus the same server idle)")
                .build();
        org.knowm.xchart.style.CategoryStyler st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setLegendPosition(Styler.LegendPosition.InsideNE);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        st.setChartTitleBoxVisible(false);
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        chart.getStyler().setStacked(true);
        chart.getStyler().setLabelsVisible(false);
        chart.getStyler().setYAxisDecimalPattern("#,##0.#");
        CategorySeries h = chart.addSeries("Java heap", names, heap);
        h.setFillColor(new Color(0x00, 0x72, 0xb2));
        CategorySeries n = chart.addSeries("native (thread stacks, NMT)", names, natives);
        n.setFillColor(new Color(0xe6, 0x9f, 0x00));
        Path png = dir.resolve(FILES.get(3) + ".png");
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(chart, dir.resolve(FILES.get(3) + ".svg").toString(),
                VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return png;
    }

    static String bytes(double b) {
        if (b >= 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (1024 * 1024));
        }
        if (b >= 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024);
        }
        return String.format(Locale.ROOT, "%.0f bytes", b);
    }
}
