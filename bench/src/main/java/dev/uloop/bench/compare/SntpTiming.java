package dev.uloop.bench.compare;

import dev.uloop.sntp.SntpClient;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * How long SNTP servers take to answer, from the request's arrival to the reply's
 * departure, as the servers themselves state it: t3 - t2 of each reply (the kernel's
 * receive stamp to the transmit stamp read just before the send, for uloop and chrony
 * alike), and the round-trip delay the client sees. uloop's loop backends and blocking
 * modes run side by side with chronyd serving its local clock ({@code local stratum 10}),
 * each alone, one request at a time.
 *
 * <pre>
 * bench/sntp                       # 3000 warm-up requests, then 20000 measured, per server
 * bench/sntp --requests 2000 --warmup 500 --servers uloop-epoll,chronyd
 * </pre>
 */
public final class SntpTiming {
    private static final Pattern ULOOP_READY = Pattern.compile("uloop sntp ready: udp 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern CHRONY_READY = Pattern.compile("chronyd version \\S+ starting");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /** One server to measure. */
    record Target(String id, String description) {}

    /** What one server did. */
    record Result(String id, String description, long requests, long lost, Histogram processing, Histogram delay,
                  double offsetMedianMicros) {}

    private SntpTiming() {}

    static final List<Target> TARGETS = List.of(
            new Target("uloop-epoll", "uloop, event loop on epoll"),
            new Target("uloop-poll", "uloop, event loop on poll"),
            new Target("uloop-select", "uloop, event loop on select"),
            new Target("uloop-blocking", "uloop, blocking DatagramSocket (no kernel stamps)"),
            new Target("chronyd", "chrony 4 (C), local stratum 10"));

    /**
     * Runs the comparison.
     *
     * @param args {@code --requests N --warmup N --servers a,b --server-cpu C --results-dir D}
     * @throws Exception when a server cannot start
     */
    public static void main(String[] args) throws Exception {
        int requests = 20_000;
        int warmup = 3_000;
        int cpu = -1;
        String filter = "*";
        Path resultsDir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--servers" -> filter = args[++i];
                case "--server-cpu" -> cpu = Integer.parseInt(args[++i]);
                case "--results-dir" -> resultsDir = Path.of(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: bench/sntp [--requests N] [--warmup N] [--servers id,id]"
                            + " [--server-cpu C] [--results-dir D]");
                    System.out.println("servers: " + TARGETS.stream().map(Target::id).toList());
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; see --help");
            }
        }
        String classPath = System.getProperty("java.class.path");
        List<Result> results = new ArrayList<>();
        for (Target t : TARGETS) {
            if (!Servers.matches(t.id(), filter)) {
                continue;
            }
            if (t.id().equals("chronyd") && Servers.onPath("chronyd") == null) {
                System.err.println("sntp: chronyd not installed (Debian package chrony); skipping it");
                continue;
            }
            System.err.printf("sntp: %s: %d warm-up + %d measured requests...%n", t.id(), warmup, requests);
            results.add(measure(t, classPath, cpu, warmup, requests));
        }
        String table = table(results, requests, cpu);
        System.out.print(table);
        if (resultsDir != null) {
            Files.createDirectories(resultsDir);
            Path file = resultsDir.resolve("sntp.md");
            Files.writeString(file, table);
            System.err.println("sntp: wrote " + file);
        }
    }

    private static Result measure(Target t, String classPath, int cpu, int warmup, int requests) throws IOException {
        Path dir = Files.createTempDirectory("uloop-sntp-");
        try (ServerProcessWithPort server = start(t, classPath, cpu, dir)) {
            int port = server.port();
            Histogram processing = new Histogram(10_000_000_000L, 3);
            Histogram delay = new Histogram(10_000_000_000L, 3);
            long[] offsets = new long[requests];
            long lost = 0;
            int n = 0;
            try (SntpClient client = new SntpClient(new InetSocketAddress("127.0.0.1", port), 4, 1000)) {
                for (int i = 0; i < warmup + requests; i++) {
                    SntpClient.Sample s;
                    try {
                        s = client.query();
                    } catch (IOException e) {
                        if (i >= warmup) {
                            lost++;
                        }
                        continue;
                    }
                    if (i >= warmup) {
                        processing.recordValue(Math.max(0, s.serverProcessingNanos()));
                        delay.recordValue(Math.max(0, s.delayNanos()));
                        offsets[n++] = s.offsetNanos();
                    }
                    if (i % 5000 == 4999) {
                        System.err.printf("sntp: %s: %d of %d%n", t.id(), i + 1, warmup + requests);
                    }
                }
            }
            Arrays.sort(offsets, 0, n);
            double offsetMedian = n == 0 ? Double.NaN : offsets[n / 2] / 1e3;
            return new Result(t.id(), t.description(), n, lost, processing, delay, offsetMedian);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static ServerProcessWithPort start(Target t, String classPath, int cpu, Path dir) throws IOException {
        if (t.id().equals("chronyd")) {
            int port = freeUdpPort();
            Path conf = dir.resolve("chrony.conf");
            Files.writeString(conf, String.join("\n",
                    "port " + port, "bindaddress 127.0.0.1", "local stratum 10", "allow 127.0.0.1", "cmdport 0",
                    "pidfile " + dir.resolve("chronyd.pid"), "driftfile " + dir.resolve("drift"), ""));
            ServerProcess p = ServerProcess.start("chronyd", List.of(Servers.onPath("chronyd").toString(), "-d", "-x",
                    "-f", conf.toString()), cpu, CHRONY_READY, READY_TIMEOUT);
            awaitAnswer(port);
            return new ServerProcessWithPort(p, port);
        }
        List<String> mode = switch (t.id()) {
            case "uloop-epoll" -> List.of("--backend", "epoll");
            case "uloop-poll" -> List.of("--backend", "poll");
            case "uloop-select" -> List.of("--backend", "select");
            case "uloop-blocking" -> List.of("--blocking");
            default -> throw new IllegalArgumentException(t.id());
        };
        List<String> args = new ArrayList<>(List.of("serve", "sntp", "--host", "127.0.0.1", "--port", "0"));
        args.addAll(mode);
        ServerProcess p = ServerProcess.start(t.id(), Servers.javaCommand(Jvm.java(), classPath, List.of(),
                "dev.uloop.cli.Main", args.toArray(String[]::new)), cpu, ULOOP_READY, READY_TIMEOUT);
        Matcher m = ULOOP_READY.matcher(p.output());
        if (!m.find()) {
            p.close();
            throw new IOException(t.id() + ": no port in its ready line" + p.hint());
        }
        return new ServerProcessWithPort(p, Integer.parseInt(m.group(1)));
    }

    /** A started server and the UDP port it answers on. */
    record ServerProcessWithPort(ServerProcess process, int port) implements AutoCloseable {
        @Override
        public void close() {
            process.close();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    /** chronyd says it is starting before its socket is open: ask until it answers (bounded). */
    private static void awaitAnswer(int port) throws IOException {
        IOException last = null;
        for (int i = 0; i < 50; i++) {
            try (SntpClient c = new SntpClient(new InetSocketAddress("127.0.0.1", port), 4, 200)) {
                c.query();
                return;
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IOException("chronyd does not answer on port " + port, last);
    }

    static String table(List<Result> results, int requests, int cpu) {
        StringBuilder sb = new StringBuilder();
        sb.append("# SNTP server processing time\n\n");
        sb.append("Run ").append(LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME.withLocale(Locale.ROOT)))
                .append(", ").append(requests).append(" sequential requests per server after warm-up, ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
                .append(cpu >= 0 ? "server pinned to CPU " + cpu + ", client on another" : "nothing pinned")
                .append(".\n\n");
        sb.append("`t3 - t2` is what each reply says: transmit timestamp minus receive timestamp, the time the\n")
                .append("request spent in the server from the kernel's receive stamp (uloop on the event loop, chrony)\n")
                .append("or from the return of `receive()` (uloop blocking, no kernel stamps) to the clock read just\n")
                .append("before the send. `delay` is the round trip the client measured, (t4 - t1) - (t3 - t2).\n\n");
        sb.append("| server | t3 - t2 median | p90 | p99 | delay median | p99 | offset median | lost |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %.1f us | %.1f us | %.1f us | %.1f us | %.1f us | %+.1f us | %d |%n",
                    r.id(), us(r.processing(), 50), us(r.processing(), 90), us(r.processing(), 99),
                    us(r.delay(), 50), us(r.delay(), 99), r.offsetMedianMicros(), r.lost()));
        }
        sb.append('\n');
        for (Result r : results) {
            sb.append("- ").append(r.id()).append(": ").append(r.description()).append('\n');
        }
        return sb.toString();
    }

    private static double us(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e3;
    }
}
