package dev.uloop.bench.compare;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The comparison's charts (XChart, PNG and SVG), one lesson per chart: a title that states
 * what the data shows, at most {@value #MAX_SERIES} series, each with a colour for its
 * kernel interface (epoll blue, poll green, select purple...), a line and marker for who
 * wrote it (uloop solid circles, the seeds' Python dashed squares, C dotted triangles...),
 * error bars for the spread between rounds, failed points marked with why, and linear axes
 * from zero unless a log axis is what the data needs (then the axis title says so).
 */
public final class Charts {
    private Charts() {}

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** The most series one chart carries. */
    public static final int MAX_SERIES = 7;

    /**
     * One chart.
     *
     * @param file    the file name without extension
     * @param title   the finding, in words, computed from the rows
     * @param xTitle  the x axis
     * @param yTitle  the y axis (the spread and median note is added)
     * @param points  which points it shows
     * @param x       a point's x value
     * @param y       a row's y value
     * @param servers the series, in legend order (servers without rows are left out)
     * @param logX    a log x axis (say so in xTitle)
     * @param logY    a log y axis (say so in yTitle)
     * @param spread  draw the spread of msgs/s between rounds as error bars
     */
    public record Spec(String file, String title, String xTitle, String yTitle, Predicate<Point> points,
                       ToDoubleFunction<Point> x, ToDoubleFunction<Row> y, List<String> servers, boolean logX,
                       boolean logY, boolean spread) {
        /** Checks the series count. */
        public Spec {
            if (servers.size() > MAX_SERIES) {
                throw new IllegalArgumentException(file + ": " + servers.size() + " series; at most " + MAX_SERIES);
            }
        }
    }

    /** A label, colour, marker and line per server, so that each reads the same on every chart. */
    record Look(String label, Color color, Marker marker, BasicStroke line) {}

    private static final Color EPOLL = new Color(0x00, 0x72, 0xb2);
    private static final Color IO_URING = new Color(0xd5, 0x5e, 0x00);
    private static final Color COMPLETION = new Color(0xe6, 0x9f, 0x00);
    private static final Color POLL = new Color(0x00, 0x9e, 0x73);
    private static final Color SELECT = new Color(0xcc, 0x79, 0xa7);
    private static final Color PLATFORM = new Color(0x20, 0x20, 0x20);
    private static final Color VIRTUAL = new Color(0x56, 0xb4, 0xe9);
    private static final Color NIO = new Color(0x8a, 0x8a, 0x8a);
    /** The colours a chart takes from when a server's own is taken by another series of it. */
    private static final List<Color> PALETTE = List.of(EPOLL, IO_URING, COMPLETION, POLL, SELECT, PLATFORM, VIRTUAL,
            NIO);

    /**
     * How a server looks: the colour and the marker say which kernel interface (so that two
     * lines lying on each other still show both markers), the line who wrote it: uloop
     * solid, the seeds' Python dashed, C dotted, Netty dash-dot.
     */
    static Look look(String server) {
        String mux = server.substring(server.indexOf('-') + 1);
        Color c;
        Marker m;
        switch (mux) {
            case "epoll" -> { c = EPOLL; m = SeriesMarkers.CIRCLE; }
            case "epoll-2loops" -> { c = EPOLL; m = SeriesMarkers.OVAL; }
            case "io_uring" -> { c = IO_URING; m = SeriesMarkers.DIAMOND; }
            case "io_uring-completion" -> { c = COMPLETION; m = SeriesMarkers.TRAPEZOID; }
            case "poll" -> { c = POLL; m = SeriesMarkers.SQUARE; }
            case "select" -> { c = SELECT; m = SeriesMarkers.TRIANGLE_DOWN; }
            case "blocking" -> { c = PLATFORM; m = SeriesMarkers.RECTANGLE; }
            case "virtual" -> { c = VIRTUAL; m = SeriesMarkers.TRIANGLE_UP; }
            default -> { c = NIO; m = SeriesMarkers.PLUS; }
        }
        if (server.equals("uloop-epoll-2loops")) {
            return new Look("uloop epoll, 2 loops", c, m, stroke(SeriesLines.SOLID));
        }
        if (server.equals("uloop-blocking")) {
            return new Look("blocking, platform threads", c, m, stroke(SeriesLines.SOLID));
        }
        if (server.equals("uloop-virtual")) {
            return new Look("blocking, virtual threads", c, m, stroke(SeriesLines.SOLID));
        }
        if (server.startsWith("uloop-")) {
            return new Look("uloop " + mux, c, m, stroke(SeriesLines.SOLID));
        }
        if (server.startsWith("seed-")) {
            return new Look("seeds' " + mux + " (Python)", c, m, stroke(SeriesLines.DASH_DASH));
        }
        if (server.startsWith("sockperf-")) {
            return new Look("sockperf " + mux + " (C)", c, m, stroke(SeriesLines.DOT_DOT));
        }
        if (server.startsWith("netty-")) {
            return new Look("Netty " + mux, c, m, stroke(SeriesLines.DASH_DOT));
        }
        return new Look(server.equals("jdk-nio") ? "JDK NIO" : server, NIO, SeriesMarkers.CROSS,
                stroke(SeriesLines.DASH_DASH));
    }

    /** The full run's charts: file names in the order they are written. */
    public static final List<String> FILES = List.of("active-uloop", "active-peers", "p99-active-peers",
            "idle-uloop", "idle-c");

    /**
     * Writes the full comparison's charts, split by lesson.
     *
     * @param rows   the rows (failed and skipped ones are marked or left out)
     * @param dir    the results folder
     * @param rounds rounds per point
     * @return the PNG files written
     * @throws IOException when a file cannot be written
     */
    public static List<Path> write(List<Row> rows, Path dir, int rounds) throws IOException {
        Predicate<Point> active = Charts::active;
        Predicate<Point> idle = p -> p.kind() == Point.Kind.IDLE;
        String activeX = "active connections (log scale; 64-byte ping-pong)";
        String idleX = "idle connections beside 10 active ones";
        List<String> uloop = List.of("uloop-epoll", "uloop-io_uring", "uloop-io_uring-completion", "uloop-poll",
                "uloop-select", "uloop-blocking", "uloop-virtual");
        List<String> peers = List.of("uloop-epoll", "uloop-io_uring-completion", "uloop-epoll-2loops", "netty-epoll",
                "netty-io_uring", "jdk-nio", "sockperf-epoll");
        List<Spec> specs = List.of(
                new Spec(FILES.get(0), Findings.fastest(rows, active, uloop, "uloop's backends"),
                        activeX, "messages/s", active, p -> p.connections(), Row::msgsPerSec, uloop, true, false, true),
                new Spec(FILES.get(1), Findings.fastest(rows, active, peers, "uloop, Netty, JDK NIO and C"),
                        activeX, "messages/s", active, p -> p.connections(), Row::msgsPerSec, peers, true, false, true),
                new Spec(FILES.get(2), "p99 round trip grows with the connections each server juggles",
                        "active connections (log scale)", "p99 round trip, us (log scale)", active,
                        p -> p.connections(), Row::p99, peers, true, true, false),
                new Spec(FILES.get(3), Findings.idle(rows, "uloop-epoll", "uloop-poll", "uloop-select"), idleX,
                        "msgs/s of the 10 active", idle, p -> p.idle(), Row::msgsPerSec,
                        List.of("uloop-epoll", "uloop-io_uring", "uloop-io_uring-completion", "uloop-poll",
                                "uloop-select"), false, false, true),
                new Spec(FILES.get(4), Findings.idle(rows, "sockperf-epoll", "sockperf-poll", "sockperf-select"),
                        idleX, "msgs/s of the 10 active", idle, p -> p.idle(), Row::msgsPerSec,
                        List.of("uloop-epoll", "uloop-poll", "uloop-select", "sockperf-epoll", "sockperf-poll",
                                "sockperf-select"), false, false, true));
        List<Path> out = new ArrayList<>();
        for (Spec s : specs) {
            Path f = save(chart(s, rows, rounds), dir, s.file());
            if (f != null) {
                out.add(f);
            }
        }
        return out;
    }

    /** The points of a throughput-vs-active chart: 10 active connections with none idle is one too. */
    static boolean active(Point p) {
        return p.kind() == Point.Kind.ACTIVE || (p.kind() == Point.Kind.IDLE && p.idle() == 0);
    }

    /**
     * One chart: a series per server over the chosen points.
     *
     * @return the chart, or null when it would have fewer than two x values
     */
    static XYChart chart(Spec spec, List<Row> rows, int rounds) {
        List<Row> shown = rows.stream().filter(r -> spec.points().test(r.point())
                && spec.servers().contains(r.server())).toList();
        long xs = shown.stream().filter(Row::ok).mapToDouble(r -> spec.x().applyAsDouble(r.point())).distinct().count();
        if (xs < 2) {
            return null;
        }
        double worst = spec.spread() ? Findings.worstSpread(shown) : Double.NaN;
        String xTitle = spec.xTitle() + (rounds > 1 && spec.spread()
                ? String.format(Locale.ROOT, "  |  bars: spread between rounds (up to %.0f%%)", worst * 100) : "");
        String yTitle = spec.yTitle() + (rounds > 1 ? ", median of " + rounds + " rounds" : ", 1 round");
        XYChart chart = new XYChartBuilder().width(1320).height(700).title(spec.title()).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        style(chart.getStyler(), spec.logX(), spec.logY());
        List<Color> used = new ArrayList<>();
        for (String server : spec.servers()) {
            List<Row> mine = shown.stream().filter(r -> r.server().equals(server))
                    .sorted(Comparator.comparingDouble(r -> spec.x().applyAsDouble(r.point()))).toList();
            if (mine.isEmpty()) {
                continue;
            }
            // Each series of a chart gets a colour of its own: the server's, unless another took it.
            Color c = look(server).color();
            if (used.contains(c)) {
                c = PALETTE.stream().filter(x -> !used.contains(x)).findFirst().orElse(c);
            }
            used.add(c);
            addSeries(chart, spec, server, c, mine, rounds);
        }
        return chart.getSeriesMap().isEmpty() ? null : chart;
    }

    private static void addSeries(XYChart chart, Spec spec, String server, Color color, List<Row> mine, int rounds) {
        Look look = look(server);
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        List<Double> bars = new ArrayList<>();
        for (Row r : mine) {
            double vx = spec.x().applyAsDouble(r.point());
            double vy = r.ok() ? spec.y().applyAsDouble(r) : Double.NaN;
            if (Double.isNaN(vy) || (spec.logX() && vx <= 0) || (spec.logY() && vy <= 0)) {
                continue;
            }
            xs.add(vx);
            ys.add(vy);
            bars.add(rounds > 1 && spec.spread() ? Findings.spread(r) * vy : 0.0);
        }
        if (!xs.isEmpty()) {
            XYSeries s = spec.spread() && rounds > 1 ? chart.addSeries(look.label(), xs, ys, bars)
                    : chart.addSeries(look.label(), xs, ys);
            s.setLineColor(color);
            s.setMarkerColor(color);
            s.setMarker(look.marker());
            s.setLineStyle(look.line());
        }
        // Points where the server failed: crosses on the x axis, and why in the legend.
        List<Row> failed = mine.stream().filter(r -> r.status() == Row.Status.FAILED
                && !(spec.logX() && spec.x().applyAsDouble(r.point()) <= 0)).toList();
        if (!failed.isEmpty()) {
            double[] fx = failed.stream().mapToDouble(r -> spec.x().applyAsDouble(r.point())).toArray();
            double[] fy = new double[fx.length];
            java.util.Arrays.fill(fy, spec.logY() ? 1 : 0);
            String why = Findings.legendReason(failed.get(0).note());
            XYSeries f = chart.addSeries(look.label() + " failed at " + count(fx[0]) + (fx.length > 1 ? "+" : "")
                    + why, fx, fy);
            f.setMarker(SeriesMarkers.CROSS);
            f.setMarkerColor(color);
            f.setLineStyle(SeriesLines.NONE);
        }
    }

    private static void style(XYStyler st, boolean logX, boolean logY) {
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotBorderColor(Color.GRAY);
        st.setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setLegendBorderColor(Color.LIGHT_GRAY);
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        st.setChartTitleBoxVisible(false);
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setAnnotationTextFontColor(Color.DARK_GRAY);
        st.setMarkerSize(10);
        st.setErrorBarsColorSeriesColor(true);
        // A tick-label function makes XChart compute linear ticks, so log axes keep their own decade ticks.
        st.setXAxisLogarithmic(logX);
        st.setYAxisLogarithmic(logY);
        if (logX) {
            st.setXAxisDecimalPattern("#,##0");
        } else {
            st.setxAxisTickLabelsFormattingFunction(Charts::count);
            st.setXAxisMin(0.0);
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

    private static BasicStroke stroke(BasicStroke d) {
        return new BasicStroke(2.2f, d.getEndCap(), d.getLineJoin(), d.getMiterLimit(), d.getDashArray(),
                d.getDashPhase());
    }

    /**
     * Saves a chart as PNG (for the README and results.md) and SVG (for the docs).
     *
     * @return the PNG, or null for no chart
     */
    static Path save(XYChart chart, Path dir, String name) throws IOException {
        if (chart == null) {
            return null;
        }
        Path png = dir.resolve(name + ".png");
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(chart, dir.resolve(name + ".svg").toString(),
                VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return png;
    }

}
