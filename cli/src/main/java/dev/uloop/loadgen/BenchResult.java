package dev.uloop.loadgen;

import java.util.List;
import java.util.Locale;

/**
 * What one load run measured. Latencies are round trips in microseconds.
 *
 * @param label           what was measured (server name or target)
 * @param transport       "tcp" or "udp"
 * @param connections     active connections
 * @param idle            idle connections
 * @param size            message size
 * @param depth           messages in flight per connection
 * @param seconds         measured seconds
 * @param messages        replies received and checked while measuring
 * @param errors          wrong or lost replies, failed connections
 * @param p50             median round trip
 * @param p90             90th percentile
 * @param p99             99th percentile
 * @param p999            99.9th percentile
 * @param max             worst
 * @param serverCpuNanos  the server's CPU time while measuring, or -1 when unknown
 */
public record BenchResult(String label, String transport, int connections, int idle, int size, int depth,
                          double seconds, long messages, long errors, double p50, double p90, double p99,
                          double p999, double max, long serverCpuNanos) {

    /** Replies per second. */
    public double msgsPerSec() {
        return messages / seconds;
    }

    /** Payload megabytes per second, each way. */
    public double mbPerSec() {
        return messages * (double) size / seconds / 1e6;
    }

    /** Server CPU microseconds per message, or NaN when unknown. */
    public double serverCpuUsPerMsg() {
        return serverCpuNanos < 0 || messages == 0 ? Double.NaN : serverCpuNanos / 1e3 / messages;
    }

    private static final String[] COLUMNS = {"label", "transport", "connections", "idle", "size", "depth",
        "seconds", "messages", "msgs_per_sec", "mb_per_sec", "p50_us", "p90_us", "p99_us", "p999_us", "max_us",
        "errors", "server_cpu_us_per_msg"};

    private Object[] values() {
        return new Object[] {label, transport, connections, idle, size, depth, seconds, messages, msgsPerSec(),
            mbPerSec(), p50, p90, p99, p999, max, errors, serverCpuUsPerMsg()};
    }

    /** A human-readable table of results. */
    public static String table(List<BenchResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-22s %-4s %6s %6s %6s %12s %8s %9s %9s %9s %9s %9s %7s %9s%n",
                "TARGET", "PROT", "CONNS", "IDLE", "SIZE", "MSGS/S", "MB/S", "P50 us", "P90 us", "P99 us",
                "P99.9 us", "MAX us", "ERRORS", "CPU us/msg"));
        for (BenchResult r : results) {
            sb.append(String.format(Locale.ROOT, "%-22s %-4s %6d %6d %6d %,12.0f %8.2f %9.1f %9.1f %9.1f %9.1f %9.1f %7d %9s%n",
                    r.label, r.transport, r.connections, r.idle, r.size, r.msgsPerSec(), r.mbPerSec(), r.p50, r.p90,
                    r.p99, r.p999, r.max, r.errors,
                    Double.isNaN(r.serverCpuUsPerMsg()) ? "-" : String.format(Locale.ROOT, "%.2f", r.serverCpuUsPerMsg())));
        }
        return sb.toString();
    }

    /** CSV with a header line. */
    public static String csv(List<BenchResult> results) {
        StringBuilder sb = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (BenchResult r : results) {
            Object[] v = r.values();
            for (int i = 0; i < v.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(v[i] instanceof Double d ? (d.isNaN() ? "" : String.format(Locale.ROOT, "%.3f", d))
                        : csvText(String.valueOf(v[i])));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String csvText(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** A JSON array of objects. */
    public static String json(List<BenchResult> results) {
        StringBuilder sb = new StringBuilder("[");
        for (int k = 0; k < results.size(); k++) {
            Object[] v = results.get(k).values();
            sb.append(k == 0 ? "\n  {" : ",\n  {");
            for (int i = 0; i < v.length; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append('"').append(COLUMNS[i]).append("\": ");
                if (v[i] instanceof String s) {
                    sb.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                } else if (v[i] instanceof Double d) {
                    sb.append(d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.3f", d));
                } else {
                    sb.append(v[i]);
                }
            }
            sb.append('}');
        }
        return sb.append("\n]\n").toString();
    }
}
