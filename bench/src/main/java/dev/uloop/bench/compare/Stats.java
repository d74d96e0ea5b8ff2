package dev.uloop.bench.compare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Medians and the ratio column. */
public final class Stats {
    private Stats() {}

    /**
     * The median, ignoring NaN values: the middle value, or the mean of the two middle ones.
     *
     * @param values the values
     * @return the median, NaN when no value is a number
     */
    public static double median(double... values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    /**
     * Fails the TCP rows of servers that did not hold the point's connections: more errors
     * per round (connections reset or closed by the server, replies lost) than 1 % of its
     * connections, as sockperf's server at 10,000 connections, which accepts 1,023 and
     * drops the rest. What such a server echoes is the work of the connections it kept, not
     * of the point: its row keeps the figure in its note, and it is no reference for the
     * ratio.
     *
     * @param rows the rows of one run
     * @return the same rows, in the same order, those that lost connections failed
     */
    public static List<Row> failLossy(List<Row> rows) {
        List<Row> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            int rounds = r.roundMsgs().size();
            Point p = r.point();
            boolean lossy = r.ok() && !p.udp() && rounds > 0
                    && r.errors() > rounds * Math.max(1, (p.connections() + p.idle()) / 100);
            out.add(!lossy ? r : Row.without(r.server(), r.nativeC(), p, Row.Status.FAILED, String.format(Locale.ROOT,
                    "lost connections: %,d errors in %d round(s) with %,d connections (it echoed %,.0f msgs/s on the"
                            + " ones it kept)%s", r.errors(), rounds, p.connections() + p.idle(), r.msgsPerSec(),
                    r.note().isEmpty() ? "" : "; " + r.note())));
        }
        return out;
    }

    /**
     * Sets each row's ratio: its msgs/s over the best msgs/s of a measured native C server
     * (sockperf) at the same point, NaN where no native server was measured there.
     *
     * @param rows the rows of one run
     * @return the same rows, in the same order, with ratios
     */
    public static List<Row> withRatios(List<Row> rows) {
        Map<String, Double> best = new HashMap<>();
        for (Row r : rows) {
            if (r.nativeC() && r.ok() && r.msgsPerSec() > 0) {
                best.merge(r.point().id(), r.msgsPerSec(), Math::max);
            }
        }
        List<Row> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            Double b = best.get(r.point().id());
            out.add(r.withRatio(r.ok() && b != null ? r.msgsPerSec() / b : Double.NaN));
        }
        return out;
    }

    /** The reference server (fastest native one) of a point, or null. */
    public static Row reference(List<Row> rows, Point point) {
        Row best = null;
        for (Row r : rows) {
            if (r.nativeC() && r.ok() && r.point().id().equals(point.id())
                    && (best == null || r.msgsPerSec() > best.msgsPerSec())) {
                best = r;
            }
        }
        return best;
    }
}
