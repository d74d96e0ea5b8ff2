package dev.uloop.bench.compare;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The comparison's PNG charts (XChart), one series per server. */
public final class Charts {
    private Charts() {}

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** File names, in the order they are written. */
    public static final List<String> FILES = List.of("throughput-vs-active.png", "p99-vs-active.png",
            "throughput-vs-idle.png");

    private static final Map<String, Color> COLORS = Map.ofEntries(
            Map.entry("uloop-epoll", new Color(0x1f, 0x4f, 0xd1)),
            Map.entry("uloop-io_uring", new Color(0xd6, 0x27, 0x28)),
            Map.entry("uloop-io_uring-completion", new Color(0xff, 0x98, 0x96)),
            Map.entry("uloop-poll", new Color(0x17, 0xa2, 0xb8)),
            Map.entry("uloop-select", new Color(0x94, 0x67, 0xbd)),
            Map.entry("uloop-blocking", new Color(0x8c, 0x56, 0x4b)),
            Map.entry("uloop-virtual", new Color(0xe3, 0x77, 0xc2)),
            Map.entry("netty-epoll", new Color(0x2c, 0xa0, 0x2c)),
            Map.entry("netty-nio", new Color(0xa0, 0xa0, 0x1a)),
            Map.entry("jdk-nio", new Color(0xff, 0x7f, 0x0e)),
            Map.entry("sockperf-epoll", new Color(0x20, 0x20, 0x20)),
            Map.entry("sockperf-poll", new Color(0x80, 0x80, 0x80)),
            Map.entry("sockperf-select", new Color(0xd6, 0x27, 0x28)));

    /**
     * Writes the charts of a run.
     *
     * @param rows   the rows (failed and skipped ones leave gaps)
     * @param dir    the results folder
     * @param rounds rounds per point, for the axis titles
     * @return the files written
     * @throws IOException when a file cannot be written
     */
    public static List<Path> write(List<Row> rows, Path dir, int rounds) throws IOException {
        String median = rounds > 1 ? " (median of " + rounds + " rounds)" : "";
        Predicate<Point> active = p -> !p.udp() && p.idle() == 0;
        List<Path> out = new ArrayList<>();
        add(out, save(chart("TCP echo: throughput vs active connections",
                "active connections (log scale; 64-byte ping-pong, 1 message in flight each)",
                "messages/s" + median, rows, active, p -> p.connections(), Row::msgsPerSec, true, false),
                dir.resolve(FILES.get(0))));
        add(out, save(chart("TCP echo: p99 round trip vs active connections",
                "active connections (log scale)", "p99 round trip, us (log scale)" + median, rows, active,
                p -> p.connections(), Row::p99, true, true), dir.resolve(FILES.get(1))));
        add(out, save(chart("TCP echo, 10 active connections: throughput vs idle connections",
                "idle connections held open beside them", "messages/s" + median, rows,
                p -> p.kind() == Point.Kind.IDLE, p -> p.idle(), Row::msgsPerSec, false, false),
                dir.resolve(FILES.get(2))));
        return out;
    }

    /**
     * One chart: a series per server over the chosen points.
     *
     * @return the chart, or null when no row has a number to show
     */
    static XYChart chart(String title, String xTitle, String yTitle, List<Row> rows, Predicate<Point> points,
                         ToDoubleFunction<Point> x, ToDoubleFunction<Row> y, boolean logX, boolean logY) {
        XYChart chart = new XYChartBuilder().width(1200).height(700).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        style(chart.getStyler(), logX, logY);
        Set<String> servers = new LinkedHashSet<>();
        rows.forEach(r -> servers.add(r.server()));
        int n = 0;
        for (String server : servers) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            rows.stream()
                    .filter(r -> r.server().equals(server) && r.ok() && points.test(r.point()))
                    .sorted((a, b) -> Double.compare(x.applyAsDouble(a.point()), x.applyAsDouble(b.point())))
                    .forEach(r -> {
                        double vx = x.applyAsDouble(r.point());
                        double vy = y.applyAsDouble(r);
                        if (!Double.isNaN(vy) && (!logX || vx > 0) && (!logY || vy > 0)) {
                            xs.add(vx);
                            ys.add(vy);
                        }
                    });
            if (xs.isEmpty()) {
                continue;
            }
            XYSeries s = chart.addSeries(server, xs, ys);
            Color c = COLORS.getOrDefault(server, Color.DARK_GRAY);
            s.setLineColor(c);
            s.setMarkerColor(c);
            s.setMarker(marker(server));
            s.setLineStyle(server.startsWith("sockperf") ? dashed() : new BasicStroke(2.2f));
            n++;
        }
        return n == 0 ? null : chart;
    }

    private static void style(XYStyler st, boolean logX, boolean logY) {
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotBorderColor(Color.GRAY);
        st.setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setLegendBorderColor(Color.LIGHT_GRAY);
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        st.setChartTitleBoxVisible(false);
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setMarkerSize(9);
        // A tick-label function makes XChart compute linear ticks, so log axes keep their own decade ticks.
        st.setXAxisLogarithmic(logX);
        st.setYAxisLogarithmic(logY);
        if (logX) {
            st.setXAxisDecimalPattern("#,##0");
        } else {
            st.setxAxisTickLabelsFormattingFunction(Charts::count);
        }
        if (logY) {
            st.setYAxisDecimalPattern("#,##0");
        } else {
            st.setyAxisTickLabelsFormattingFunction(Charts::count);
            st.setYAxisMin(0.0);
        }
        st.setToolTipsEnabled(false);
        st.setAntiAlias(true);
    }

    /** 1500 -> "1.5k", 250000 -> "250k", 2000000 -> "2M", 64 -> "64". */
    static String count(Double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (a >= 1e3) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    private static Marker marker(String server) {
        if (server.startsWith("uloop")) {
            return SeriesMarkers.CIRCLE;
        }
        if (server.startsWith("netty")) {
            return SeriesMarkers.DIAMOND;
        }
        if (server.startsWith("sockperf")) {
            return SeriesMarkers.TRIANGLE_UP;
        }
        return SeriesMarkers.SQUARE;
    }

    private static BasicStroke dashed() {
        BasicStroke d = SeriesLines.DASH_DASH;
        return new BasicStroke(2.2f, d.getEndCap(), d.getLineJoin(), d.getMiterLimit(), d.getDashArray(),
                d.getDashPhase());
    }

    private static Path save(XYChart chart, Path file) throws IOException {
        if (chart == null) {
            return null;
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    private static void add(List<Path> out, Path written) {
        if (written != null) {
            out.add(written);
        }
    }
}
