package dev.uloop.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Bytes a server's loop thread allocates per echoed message: the server runs with a JFR
 * recording of {@code jdk.ThreadAllocationStatistics} every 100 ms (a thread's allocated
 * bytes so far), the load runs, the server stops and dumps the recording; the loop
 * thread's growth between the first and last sample inside the measured window, divided
 * by the messages of that time (the generator's rate times the time between the samples);
 * and the same from the median 100 ms interval, which leaves out one-off allocation (a
 * code path used for the first time, class spinning) that lands in the window.
 */
final class AllocProbe {
    static final String EVENT = "jdk.ThreadAllocationStatistics";
    /** Samples this close to the window's ends are left out (start-up and shut-down of the load). */
    static final double MARGIN_SECONDS = 0.2;

    private AllocProbe() {}

    /** A JFR configuration with that one event, every 100 ms. */
    static final String JFC = """
            <?xml version="1.0" encoding="UTF-8"?>
            <configuration version="2.0" label="uloop-alloc" description="Per-thread allocated bytes every 100 ms">
              <event name="jdk.ThreadAllocationStatistics">
                <setting name="enabled">true</setting>
                <setting name="period">100 ms</setting>
              </event>
            </configuration>
            """;

    /**
     * The server JVM options that record the samples into {@code jfr}; writes the JFR
     * configuration beside it.
     */
    static List<String> jvmOptions(Path jfr) throws IOException {
        Path jfc = jfr.resolveSibling(jfr.getFileName() + ".jfc");
        Files.writeString(jfc, JFC);
        return List.of("-XX:StartFlightRecording=filename=" + jfr + ",dumponexit=true,settings=" + jfc);
    }

    /** One sample: a thread's allocated bytes so far, at a time. */
    record Sample(String thread, Instant at, long allocated) {}

    static List<Sample> read(Path jfr) throws IOException {
        List<Sample> out = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (e.getEventType().getName().equals(EVENT)) {
                RecordedThread t = e.getThread("thread");
                String name = t == null ? "?" : t.getJavaName() != null ? t.getJavaName() : t.getOSName();
                out.add(new Sample(name, e.getStartTime(), e.getLong("allocated")));
            }
        }
        return out;
    }

    /**
     * Bytes per message of one thread (or, with {@code thread} null, of the thread that
     * allocated most in the window, JFR's own threads aside).
     *
     * @param samples    the recording's samples
     * @param thread     the loop thread's name, or null to pick the busiest
     * @param from       start of the generator's measured window
     * @param to         its end
     * @param msgsPerSec the generator's rate over that window
     * @return the result, with a note when something is off
     */
    static AllocResult compute(String server, Point point, List<Sample> samples, String thread, Instant from,
                               Instant to, double msgsPerSec) {
        Instant lo = from.plusMillis((long) (MARGIN_SECONDS * 1000));
        Instant hi = to.minusMillis((long) (MARGIN_SECONDS * 1000));
        Map<String, Sample> first = new HashMap<>();
        Map<String, Sample> last = new HashMap<>();
        for (Sample s : samples) {
            if (s.at().isBefore(lo) || s.at().isAfter(hi)) {
                continue;
            }
            first.merge(s.thread(), s, (a, b) -> b.at().isBefore(a.at()) ? b : a);
            last.merge(s.thread(), s, (a, b) -> b.at().isAfter(a.at()) ? b : a);
        }
        String chosen = thread;
        if (chosen == null || !first.containsKey(chosen)) {
            String busiest = null;
            long most = -1;
            for (String t : first.keySet()) {
                long d = last.get(t).allocated() - first.get(t).allocated();
                if (!t.startsWith("JFR") && d > most) {
                    most = d;
                    busiest = t;
                }
            }
            if (busiest == null) {
                return new AllocResult(server, point, thread == null ? "?" : thread, Double.NaN, Double.NaN, 0, 0, msgsPerSec,
                        "no allocation samples inside the measured window");
            }
            chosen = busiest;
        }
        Sample a = first.get(chosen);
        Sample b = last.get(chosen);
        double seconds = java.time.Duration.between(a.at(), b.at()).toNanos() / 1e9;
        long bytes = b.allocated() - a.allocated();
        if (seconds <= 0 || msgsPerSec <= 0) {
            return new AllocResult(server, point, chosen, Double.NaN, Double.NaN, bytes, seconds, msgsPerSec,
                    "fewer than two samples inside the measured window");
        }
        String note = thread != null && !thread.equals(chosen) ? "no thread \"" + thread + "\"; took the busiest" : "";
        String t = chosen;
        List<Sample> mine = samples.stream()
                .filter(x -> x.thread().equals(t) && !x.at().isBefore(lo) && !x.at().isAfter(hi))
                .sorted((x, y) -> x.at().compareTo(y.at())).toList();
        double[] rates = new double[Math.max(0, mine.size() - 1)];
        for (int i = 1; i < mine.size(); i++) {
            double dt = java.time.Duration.between(mine.get(i - 1).at(), mine.get(i).at()).toNanos() / 1e9;
            rates[i - 1] = dt <= 0 ? Double.NaN : (mine.get(i).allocated() - mine.get(i - 1).allocated()) / dt;
        }
        return new AllocResult(server, point, chosen, bytes / (seconds * msgsPerSec), Stats.median(rates) / msgsPerSec,
                bytes, seconds, msgsPerSec, note);
    }
}
