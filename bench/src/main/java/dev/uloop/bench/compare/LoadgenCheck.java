package dev.uloop.bench.compare;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Is the load generator fast enough? sockperf's own C client ({@code sockperf ping-pong},
 * one socket, one message in flight) and the load generator with one connection, each
 * against the same sockperf C server, pinned the same way.
 *
 * @param transport     {@code tcp} or {@code udp}
 * @param sockperfRate  sockperf ping-pong's replies per second over its valid duration
 * @param sockperfP50   its median round trip, us
 * @param sockperfP99   its 99th percentile round trip, us
 * @param loadgenRate   the load generator's msgs/s
 * @param loadgenP50    its median round trip, us
 * @param loadgenP99    its 99th percentile, us
 * @param note          why a side is missing
 */
public record LoadgenCheck(String transport, double sockperfRate, double sockperfP50, double sockperfP99,
                           double loadgenRate, double loadgenP50, double loadgenP99, String note) {

    private static final Pattern VALID = Pattern.compile(
            "\\[Valid Duration\\] RunTime=([\\d.]+) sec; SentMessages=(\\d+); ReceivedMessages=(\\d+)");
    private static final Pattern P50 = Pattern.compile("percentile 50\\.000 =\\s+([\\d.]+)");
    private static final Pattern P99 = Pattern.compile("percentile 99\\.000 =\\s+([\\d.]+)");

    /** sockperf ping-pong's figures from its output (run with --full-rtt): rate, p50, p99. */
    static double[] parseSockperf(String output) throws IOException {
        String s = output.replaceAll("\u001B\\[[0-9;]*m", "");
        Matcher v = VALID.matcher(s);
        if (!v.find()) {
            throw new IOException("no [Valid Duration] line in sockperf's output");
        }
        double seconds = Double.parseDouble(v.group(1));
        double received = Double.parseDouble(v.group(3));
        Matcher p50 = P50.matcher(s);
        Matcher p99 = P99.matcher(s);
        return new double[] {received / seconds, p50.find() ? Double.parseDouble(p50.group(1)) : Double.NaN,
            p99.find() ? Double.parseDouble(p99.group(1)) : Double.NaN};
    }
}
