package dev.uloop.bench.compare;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory per idle TCP connection of a Java server: the server runs with Native Memory
 * Tracking; this process opens N silent connections to it and reads, after a full GC, the
 * live heap ({@code jcmd PID GC.class_histogram}), NMT's committed bytes outside the heap
 * ({@code jcmd PID VM.native_memory summary}) and the resident set, minus the same with no
 * connection. Kernel socket buffers belong to no process and are not counted.
 */
final class MemoryProbe {
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)\\s*$");
    private static final Pattern NMT_TOTAL = Pattern.compile("(?m)^Total: reserved=(\\d+), committed=(\\d+)");
    private static final Pattern NMT_CATEGORY = Pattern.compile("(?m)^-\\s+(.+?) \\(reserved=(\\d+), committed=(\\d+)");
    static final String HEAP = "Java Heap";

    private MemoryProbe() {}

    /** One reading of a server process. */
    record Sample(int connections, long heapLive, long nmtCommitted, Map<String, Long> categories, long rss) {
        /** NMT committed outside the Java heap. */
        long nativeBytes() {
            return nmtCommitted - categories.getOrDefault(HEAP, 0L);
        }
    }

    /** The live bytes of {@code GC.class_histogram}'s Total line. */
    static long parseHistogramTotal(String histogram) throws IOException {
        Matcher m = HISTOGRAM_TOTAL.matcher(histogram);
        if (!m.find()) {
            throw new IOException("no Total line in GC.class_histogram output");
        }
        return Long.parseLong(m.group(2));
    }

    /** NMT summary (scale=b): the total committed bytes and each category's committed bytes. */
    static Map<String, Long> parseNmt(String summary) throws IOException {
        Matcher t = NMT_TOTAL.matcher(summary);
        if (!t.find()) {
            throw new IOException("no Total line in VM.native_memory output (is -XX:NativeMemoryTracking on?)");
        }
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("Total", Long.parseLong(t.group(2)));
        Matcher c = NMT_CATEGORY.matcher(summary);
        while (c.find()) {
            m.put(c.group(1).strip(), Long.parseLong(c.group(3)));
        }
        return m;
    }

    static Sample sample(long pid, int connections) throws IOException {
        long heap = parseHistogramTotal(Jvm.jcmd(pid, "GC.class_histogram"));     // a full GC first
        Map<String, Long> nmt = parseNmt(Jvm.jcmd(pid, "VM.native_memory", "summary", "scale=b"));
        long total = nmt.remove("Total");
        return new Sample(connections, heap, total, nmt, Procs.rssBytes(pid));
    }

    /** Per connection, against the baseline. */
    static MemoryResult result(String server, Sample base, Sample s, String note) {
        int n = s.connections();
        Map<String, Long> grew = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : s.categories().entrySet()) {
            if (!e.getKey().equals(HEAP)) {
                grew.put(e.getKey(), e.getValue() - base.categories().getOrDefault(e.getKey(), 0L));
            }
        }
        String breakdown = String.join(", ", grew.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .limit(3)
                .map(e -> String.format(Locale.ROOT, "%s %+.2f MB", e.getKey(), e.getValue() / 1e6))
                .toList());
        return new MemoryResult(server, n, s.heapLive(), s.nativeBytes(), s.rss(),
                (s.heapLive() - base.heapLive()) / (double) n, (s.nativeBytes() - base.nativeBytes()) / (double) n,
                s.rss() < 0 || base.rss() < 0 ? Double.NaN : (s.rss() - base.rss()) / (double) n,
                breakdown.isEmpty() ? "-" : breakdown, note == null ? "" : note);
    }

    /**
     * Measures one server at each connection count (ascending), on one process.
     *
     * @param def      the server (a Java one)
     * @param counts   e.g. 1000, 10000
     * @param port     a free port
     * @param cpu      CPU to pin the server to, or -1
     * @param jvmOpts  extra server JVM options
     * @param workDir  scratch folder
     * @param logDir   where a failed server's output goes
     * @param progress status lines
     * @return one result per count; a failure gives a result with NaN numbers and the reason
     */
    static List<MemoryResult> measure(ServerDef def, List<Integer> counts, int port, int cpu, List<String> jvmOpts,
                                      Path workDir, Path logDir, Consumer<String> progress) {
        List<MemoryResult> out = new ArrayList<>();
        List<String> opts = new ArrayList<>(jvmOpts);
        opts.add("-XX:NativeMemoryTracking=summary");
        List<SocketChannel> conns = new ArrayList<>();
        ServerProcess server = null;
        int done = 0;
        try {
            server = ServerProcess.start(def.id(), def.launcher().command(port, false, opts, workDir), cpu,
                    def.ready(), Duration.ofSeconds(60));
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            warm(at);
            Thread.sleep(500);
            long baseFds = Procs.fdCount(server.pid());
            progress.accept("memory: " + def.id() + ": baseline");
            Sample base = sample(server.pid(), 0);
            for (int n : counts) {
                progress.accept("memory: " + def.id() + ": opening " + n + " idle connections");
                while (conns.size() < n) {
                    SocketChannel c = SocketChannel.open();
                    conns.add(c);
                    c.connect(at);
                    if (conns.size() % 500 == 0) {
                        awaitFds(server, baseFds + conns.size() - 200, Duration.ofSeconds(10));
                    }
                }
                String note = "";
                if (!awaitFds(server, baseFds + n, Duration.ofSeconds(30))) {
                    note = "server holds " + (Procs.fdCount(server.pid()) - baseFds) + " new fds, not " + n;
                }
                Thread.sleep(300);
                progress.accept("memory: " + def.id() + ": " + n + " idle connections: GC and NMT");
                out.add(result(def.id(), base, sample(server.pid(), n), note));
                done++;
                if (!server.alive()) {
                    throw new IOException(def.id() + " exited" + server.hint());
                }
            }
        } catch (IOException | RuntimeException e) {
            for (int k = done; k < counts.size(); k++) {
                out.add(new MemoryResult(def.id(), counts.get(k), -1, -1, -1, Double.NaN, Double.NaN, Double.NaN, "-",
                        "failed: " + e.getMessage()));
            }
            if (server != null) {
                try {
                    server.saveOutput(logDir.resolve("memory-" + def.id() + ".log"));
                } catch (IOException ignored) {
                    // Best effort.
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (SocketChannel c : conns) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // Closing.
                }
            }
            if (server != null) {
                server.stop(Duration.ofSeconds(15));
                ServerProcess.awaitPortFree(port, Duration.ofSeconds(10));
            }
        }
        return out;
    }

    /** A few connections with one echo each, so that the classes of the connection path are loaded before the baseline. */
    private static void warm(InetSocketAddress at) throws IOException {
        byte[] hello = "hello, memory\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 20; i++) {
            try (Socket s = new Socket()) {
                s.connect(at, 5000);
                s.setSoTimeout(5000);
                s.getOutputStream().write(hello);
                byte[] back = s.getInputStream().readNBytes(hello.length);
                if (back.length != hello.length) {
                    throw new IOException("warm-up echo: " + back.length + " of " + hello.length + " bytes back");
                }
            }
        }
    }

    private static boolean awaitFds(ServerProcess server, long fds, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (Procs.fdCount(server.pid()) < fds) {
            if (System.nanoTime() > deadline || !server.alive()) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
