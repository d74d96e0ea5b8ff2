package dev.uloop.bench.compare;

import dev.uloop.loadgen.BenchResult;
import java.util.List;

/**
 * One (server, point) of the comparison: the medians over its rounds, or why it has none.
 *
 * @param server      server id
 * @param nativeC     whether the server is a native C one (the ratio's reference)
 * @param point       the load point
 * @param status      measured, failed or skipped
 * @param note        why it failed or was skipped; for a measured row, anything odd (else empty)
 * @param roundMsgs   msgs/s of each round, in order
 * @param msgsPerSec  median msgs/s over the rounds
 * @param p50         median of the rounds' p50 round trip, microseconds
 * @param p99         median of the rounds' p99 round trip, microseconds
 * @param p999        median of the rounds' p99.9 round trip, microseconds
 * @param max         the worst round trip of all rounds, microseconds
 * @param cpuUsPerMsg median of the rounds' server CPU microseconds per message (NaN when unknown)
 * @param errors      errors summed over the rounds
 * @param gcs         the server's garbage collections during the measured windows, summed over the rounds
 *                    (NaN when unknown: not a JVM)
 * @param gcMillis    their time in milliseconds, summed (NaN when unknown)
 * @param serverCpus  median share of a CPU the server used while measuring (CPU us/msg x msgs/s; 1.0 = one CPU busy)
 * @param genCpus     median share of a CPU the load generator's process used over a whole round (connecting,
 *                    warm-up and measuring; NaN when unknown)
 * @param otherCpu    the most CPU other programs used during a kept round (1.0 = a whole CPU; NaN when unknown)
 * @param ratio       msgsPerSec / the fastest native C server's at this point (NaN when there is none)
 */
public record Row(String server, boolean nativeC, Point point, Status status, String note, List<Double> roundMsgs,
                  double msgsPerSec, double p50, double p99, double p999, double max, double cpuUsPerMsg, long errors,
                  double gcs, double gcMillis, double serverCpus,
                  double genCpus, double otherCpu, double ratio) {

    /** What became of a row. */
    public enum Status { OK, FAILED, SKIPPED }

    /**
     * A measured row from its rounds (at least one).
     *
     * @param gcWindows the server's collections in each round's measured window, in the order of
     *                  {@code rounds} (empty, or a window that counted nothing, for unknown)
     */
    public static Row measured(String server, boolean nativeC, Point point, List<BenchResult> rounds,
                               List<GcCounter.Window> gcWindows, List<Double> genCpus, String note, double otherCpu) {
        if (rounds.isEmpty()) {
            throw new IllegalArgumentException("no rounds");
        }
        boolean gcKnown = !gcWindows.isEmpty() && gcWindows.stream().allMatch(w -> w.count() >= 0);
        return new Row(server, nativeC, point, Status.OK, note == null ? "" : note,
                rounds.stream().map(BenchResult::msgsPerSec).toList(),
                Stats.median(rounds.stream().mapToDouble(BenchResult::msgsPerSec).toArray()),
                Stats.median(rounds.stream().mapToDouble(BenchResult::p50).toArray()),
                Stats.median(rounds.stream().mapToDouble(BenchResult::p99).toArray()),
                Stats.median(rounds.stream().mapToDouble(BenchResult::p999).toArray()),
                rounds.stream().mapToDouble(BenchResult::max).max().orElse(Double.NaN),
                Stats.median(rounds.stream().mapToDouble(BenchResult::serverCpuUsPerMsg).toArray()),
                rounds.stream().mapToLong(BenchResult::errors).sum(),
                gcKnown ? gcWindows.stream().mapToLong(GcCounter.Window::count).sum() : Double.NaN,
                gcKnown ? gcWindows.stream().mapToDouble(GcCounter.Window::millis).sum() : Double.NaN,
                Stats.median(rounds.stream().mapToDouble(r -> r.serverCpuUsPerMsg() * r.msgsPerSec() / 1e6).toArray()),
                Stats.median(genCpus.stream().mapToDouble(Double::doubleValue).toArray()), otherCpu, Double.NaN);
    }

    /** A row without numbers. */
    public static Row without(String server, boolean nativeC, Point point, Status status, String why) {
        return new Row(server, nativeC, point, status, why, List.of(), Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /** The same row with a ratio. */
    public Row withRatio(double r) {
        return new Row(server, nativeC, point, status, note, roundMsgs, msgsPerSec, p50, p99, p999, max, cpuUsPerMsg,
                errors, gcs, gcMillis, serverCpus, genCpus, otherCpu, r);
    }

    /** Whether it has numbers. */
    public boolean ok() {
        return status == Status.OK;
    }
}
