package dev.uloop.bench.compare;

import dev.uloop.Backend;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * The comparison run behind {@code bench/compare}: each server in turn, on the same
 * machine and under the same load (the uloop load generator, in this process), every
 * point R times; then one table, CSV, JSON, Markdown and PNG charts in a results folder,
 * plus loop-thread allocation per message and memory per idle connection.
 *
 * <p>{@code bench/compare} pins this process (the load generator) to CPU 1 and passes
 * {@code --server-cpu 0}, so that each server runs alone on CPU 0.
 */
@Command(name = "bench/compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compares echo servers under the same load: uloop (epoll, io_uring in readiness and completion",
            "modes, poll, select, two loops, blocking platform and virtual threads), Netty (epoll, io_uring, nio), plain JDK NIO, sockperf's C server (epoll, poll, select)",
            "and the seeds' approach in Python (select, poll, epoll; with python3).",
            "Writes results.md, results.csv, results.json and PNG charts to a new folder under --results-dir."})
public final class Compare implements Callable<Integer> {

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds per (server, point); the median is reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", defaultValue = "1s", converter = DurationConverter.class,
            description = "Traffic before each round's measurement (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = {"-d", "--duration"}, defaultValue = "2s", converter = DurationConverter.class,
            description = "Measured time of each round (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--quick", description = "Smoke run: 1 round of 1 s (0.5 s warm-up), points tcp-64, tcp-10+idle1000 and udp-64,"
            + " no memory measurement; does not update results/latest.")
    boolean quick;

    @Option(names = "--lesson", description = "The seeds' lesson in about 5 minutes: blocking (platform and virtual threads),"
            + " uloop on select, poll, epoll and io_uring, and the seeds' Python servers; 2 rounds of 1 s (1.5 s warm-up) at 1 to 1,000"
            + " active and up to 10,000 idle connections, memory per idle connection; four charts and a reading in"
            + " <results-dir>/lesson-<timestamp>/, copied to <results-dir>/lesson/.")
    boolean lesson;

    @Option(names = "--servers", paramLabel = "LIST", description = "Comma-separated server ids (a trailing * matches a prefix, e.g. uloop-*); default all.")
    String servers;

    @Option(names = "--points", paramLabel = "LIST", description = "Comma-separated point ids, e.g. tcp-64,udp-64; default all (see --list).")
    String points;

    @Option(names = "--list", description = "List the servers and points, then exit.")
    boolean list;

    @Option(names = {"-s", "--size"}, defaultValue = "64", description = "Message size in bytes, at least 14 for sockperf (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--connect-rate", defaultValue = "5000", description = "Connections opened per second at most (default: ${DEFAULT-VALUE}).")
    int connectRate;

    @Option(names = "--server-cpu", defaultValue = "-1", description = "Pin each server to this CPU with taskset; -1: no pinning (bench/compare passes 0 on 2+ CPUs).")
    int serverCpu;

    @Option(names = "--server-jvm-opts", paramLabel = "OPTS", defaultValue = "",
            description = "Extra JVM options for the Java servers, space-separated.")
    String serverJvmOpts;

    @Option(names = "--results-dir", defaultValue = "bench/results", description = "Where result folders go (default: ${DEFAULT-VALUE}).")
    Path resultsDir;

    @Option(names = "--out", description = "The result folder itself (default: <results-dir>/<timestamp>).")
    Path out;

    @Option(names = "--no-latest", description = "Do not copy the results to <results-dir>/latest (a full run does by default).")
    boolean noLatest;

    @Option(names = "--memory", negatable = true, description = "Measure memory per idle connection (default: on, off with --quick).")
    Boolean memory;

    @Option(names = "--memory-only", description = "Only the memory measurement (no load runs).")
    boolean memoryOnly;

    @Option(names = "--memory-servers", paramLabel = "LIST", defaultValue = "uloop-epoll,uloop-io_uring-completion,netty-epoll,jdk-nio,uloop-virtual",
            description = "Servers for the memory measurement (default: ${DEFAULT-VALUE}).")
    String memoryServers;

    @Option(names = "--memory-connections", paramLabel = "N,N", defaultValue = "1000,10000", split = ",",
            description = "Idle connection counts for the memory measurement (default: ${DEFAULT-VALUE}).")
    List<Integer> memoryConnections;

    @Option(names = "--alloc", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Measure loop-thread bytes allocated per message with JFR (default: on).")
    boolean alloc;

    @Option(names = "--alloc-servers", paramLabel = "LIST", defaultValue = "uloop-epoll,uloop-io_uring-completion,netty-epoll,jdk-nio",
            description = "Servers for the allocation measurement, at tcp-64 (default: ${DEFAULT-VALUE}).")
    String allocServers;

    @Option(names = "--max-other-cpu", defaultValue = "0.1",
            description = "A round during which other programs used more CPU than this (1.0 = one CPU) is run again (default: ${DEFAULT-VALUE}).")
    double maxOtherCpu;

    @Option(names = "--retries", defaultValue = "2",
            description = "How many times a disturbed round is run again at most; the least disturbed one is kept (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--quiet-wait", defaultValue = "20s", converter = DurationConverter.class,
            description = "Before running a disturbed round again, wait this long at most for other programs to calm down (default: ${DEFAULT-VALUE}).")
    Duration quietWait;

    @Option(names = "--rerun-budget", defaultValue = "3m", converter = DurationConverter.class,
            description = "Total time the whole run may spend on running disturbed rounds again and waiting for quiet (default: ${DEFAULT-VALUE}).")
    Duration rerunBudget;

    @Option(names = "--loadgen-check", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Compare sockperf's own ping-pong client with the load generator against sockperf's server"
                    + " (default: on when sockperf is installed and the run is not --quick).")
    boolean loadgenCheck;

    @Option(names = "--replot", paramLabel = "DIR",
            description = "Only redraw the charts of an earlier run from DIR/results.csv (into DIR), with its rows judged"
                    + " again as this version does (lost connections, ratios: results.csv and the table of results.md"
                    + " are rewritten), then exit.")
    Path replot;

    @Option(names = "--base-port", defaultValue = "17000", description = "Servers listen on ports from here on, below the ephemeral range (default: ${DEFAULT-VALUE}).")
    int basePort;

    private final PrintStream stdout = System.out;
    private Progress progress;
    private Path work;
    private Path logs;
    private int nextPort;
    private PointRunner runner;
    private final List<String> notes = new ArrayList<>();

    /** Runs the comparison; see {@code --help}. */
    public static void main(String[] args) {
        Compare.args = args.clone();
        CommandLine cl = new CommandLine(new Compare());
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (quick) {
            rounds = 1;
            duration = Duration.ofSeconds(1);
            warmup = Duration.ofMillis(500);
            if (points == null) {
                points = String.join(",", Point.QUICK.stream().map(Point::id).toList());
            }
        }
        if (lesson) {
            rounds = Lesson.ROUNDS;
            warmup = Lesson.WARMUP;
            duration = Lesson.DURATION;
            memoryServers = Lesson.MEMORY_SERVERS;
            memoryConnections = List.of(Lesson.MEMORY_CONNECTIONS);
            alloc = false;
            loadgenCheck = false;
            // About five minutes: a disturbed round is run again, but not for long.
            rerunBudget = Duration.ofSeconds(60);
            quietWait = Duration.ofSeconds(5);
            if (points == null) {
                points = String.join(",", Lesson.POINTS.stream().map(Point::id).toList());
            }
        }
        if (replot != null) {
            // The rows as this version judges them (lost connections, ratios), written back with the charts.
            List<Row> old = Stats.withRatios(Stats.failLossy(
                    Report.parseCsv(Files.readString(replot.resolve("results.csv")))));
            Files.writeString(replot.resolve("results.csv"), Report.csv(old), StandardCharsets.UTF_8);
            Path md = replot.resolve("results.md");
            if (Files.isRegularFile(md)) {
                Files.writeString(md, Markdown.withTable(Files.readString(md), old), StandardCharsets.UTF_8);
            }
            int r = old.stream().mapToInt(x -> x.roundMsgs().size()).max().orElse(1);
            for (Path c : Charts.write(old, replot, r)) {
                stdout.println("Chart:   " + c);
            }
            return 0;
        }
        boolean doMemory = memoryOnly || (memory != null ? memory : !quick);
        if (rounds < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--rounds must be 1 or more");
        }
        Path sockperf = Servers.onPath("sockperf");
        List<ServerDef> catalogue = Servers.all(Jvm.java(), System.getProperty("java.class.path"), sockperf);
        if (list) {
            int width = catalogue.stream().mapToInt(s -> s.id().length()).max().orElse(16);
            catalogue.forEach(s -> stdout.printf(Locale.ROOT, "%-" + width + "s  %s%n", s.id(), s.description()));
            stdout.println();
            Point.ALL.forEach(p -> stdout.printf(Locale.ROOT, "%-18s %s%s%n", p.id(), p.label(),
                    Point.QUICK.contains(p) ? "   (--quick)" : ""));
            return 0;
        }
        List<ServerDef> chosen = lesson && servers == null ? Lesson.servers(catalogue)
                : Servers.select(catalogue, servers);
        List<Point> chosenPoints = selectPoints(points);
        if (sockperf == null) {
            notes.add("sockperf is not installed: its C servers are skipped and the ratio column is empty"
                    + " (Debian/Ubuntu: apt-get install sockperf).");
        }
        if (Servers.onPath("python3") == null) {
            notes.add("python3 is not installed: the seeds' Python servers (seed-select, seed-poll, seed-epoll) are skipped.");
        }

        Instant started = Instant.now();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        Path dir = out != null ? out : resultsDir.resolve(lesson ? "lesson-" + stamp : stamp);
        Files.createDirectories(dir);
        logs = dir.resolve("logs");
        work = Files.createTempDirectory("uloop-compare");
        nextPort = basePort;
        progress = new Progress(System.err, System.console() != null && System.console().isTerminal());
        runner = new PointRunner(new PointRunner.Settings(rounds, warmup, duration, size, connectRate, serverCpu,
                jvmOpts(), maxOtherCpu, retries, rerunBudget, quietWait), progress, notes, work, logs, this::port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ServerProcess s = runner.current();
            if (s != null) {
                s.stop(Duration.ofSeconds(5));
            }
        }, "compare-cleanup"));

        Map<String, String> settings = settings(started, sockperf);
        String loadgenCpus = Procs.cpusAllowed("self");
        if (serverCpu < 0) {
            notes.add("Not pinned: servers and the load generator share all CPUs (taskset missing, one CPU,"
                    + " or --server-cpu -1); their numbers disturb each other more.");
        } else if (loadgenCpus.equals(Integer.toString(serverCpu)) || loadgenCpus.contains(Integer.toString(serverCpu))) {
            notes.add("The load generator may run on the servers' CPU " + serverCpu + " (its CPUs: " + loadgenCpus + ").");
        }
        progress.line(String.format(Locale.ROOT, "uloop comparison: %d servers x %d points x %d rounds of %s + %s warm-up; "
                        + "servers on CPU %s, load generator on CPU %s; results in %s",
                chosen.size(), chosenPoints.size(), rounds, seconds(duration), seconds(warmup),
                serverCpu < 0 ? "any" : Integer.toString(serverCpu), loadgenCpus, dir));

        List<Row> rows = new ArrayList<>();
        if (!memoryOnly) {
            rows = runLoad(chosen, chosenPoints, started);
        }
        rows = Stats.withRatios(Stats.failLossy(rows));

        List<LoadgenCheck> checks = new ArrayList<>();
        if (loadgenCheck && sockperf != null && !quick && !memoryOnly) {
            for (boolean udp : new boolean[] {false, true}) {
                checks.add(runner.loadgenCheck(catalogue, sockperf, udp));
            }
        }

        List<AllocResult> allocResults = new ArrayList<>();
        if (alloc && !memoryOnly) {
            for (ServerDef def : Servers.select(catalogue, allocServers)) {
                allocResults.add(runner.allocation(def, Point.tcp(64)));
            }
        }
        List<MemoryResult> memoryResults = new ArrayList<>();
        if (doMemory) {
            for (ServerDef def : Servers.select(catalogue, memoryServers)) {
                if (!def.java()) {
                    continue;
                }
                memoryResults.addAll(MemoryProbe.measure(def, memoryConnections.stream().sorted().toList(), port(),
                        serverCpu, jvmOpts(), work, logs, s -> progress.live(s)));
            }
            progress.done();
        }

        if (runner.leftOpen() > 0) {
            notes.add("The load generator left " + runner.leftOpen() + " sockets open after its rounds (after failed rounds: when"
                    + " connections fail it throws without releasing the others); the run closed them after each round.");
        }
        Instant finished = Instant.now();
        settings.put("finished", finished.toString());
        settings.put("elapsed", seconds(Duration.between(started, finished)));
        settings.put("load average at the end", Procs.loadAverage());
        Report.Run run = new Report.Run(settings, notes, rows, checks, allocResults, memoryResults);
        List<Path> charts = rows.isEmpty() ? List.of()
                : lesson ? Lesson.charts(rows, memoryResults, dir) : Charts.write(rows, dir, rounds);
        List<String> reading = lesson ? Reading.of(rows, memoryResults) : List.of();
        if (lesson) {
            Files.writeString(dir.resolve("reading.md"), "# What this run says\n\n"
                    + String.join("\n\n", reading) + "\n", StandardCharsets.UTF_8);
        }
        Files.writeString(dir.resolve("results.md"), Markdown.results(run, charts, rounds), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("results.csv"), Report.csv(rows), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("results.json"), Report.json(run), StandardCharsets.UTF_8);
        if (!memoryResults.isEmpty()) {
            Files.writeString(dir.resolve("memory.csv"), Markdown.memoryCsv(memoryResults), StandardCharsets.UTF_8);
        }

        progress.done();
        stdout.println();
        if (!rows.isEmpty()) {
            stdout.print(Report.table(rows));
            stdout.println();
            stdout.println("vs C = msgs/s / the fastest sockperf server's msgs/s at the same point (same run);"
                    + " medians of " + rounds + " round(s); errors summed.");
        }
        if (!checks.isEmpty()) {
            stdout.println();
            stdout.println("Load generator check, against sockperf's server (-F epoll), 1 connection, 1 message in flight:");
            stdout.print(Report.checkTable(checks));
        }
        if (!allocResults.isEmpty()) {
            stdout.println();
            stdout.println("Allocation on the loop thread per echoed message (JFR jdk.ThreadAllocationStatistics):");
            stdout.print(Report.allocTable(allocResults));
        }
        if (!memoryResults.isEmpty()) {
            stdout.println();
            stdout.println("Memory per idle TCP connection (after a full GC, minus the same server with none):");
            stdout.print(Report.memoryTable(memoryResults));
        }
        for (String n : notes) {
            stdout.println("note: " + n);
        }
        stdout.println();
        if (!reading.isEmpty()) {
            stdout.println();
            stdout.println("What this run says:");
            reading.forEach(r -> stdout.println(wrap(r)));
        }
        stdout.println("Results: " + dir.resolve("results.md"));
        charts.forEach(c -> stdout.println("Chart:   " + c));
        if (!quick && !noLatest && out == null && !memoryOnly) {
            Path latest = resultsDir.resolve(lesson ? "lesson" : "latest");
            copyFolder(dir, latest);
            stdout.println("Copied to " + latest);
        }
        stdout.println("Elapsed: " + settings.get("elapsed"));
        deleteTree(work);
        return 0;
    }

    // ------------------------------------------------------------------ load

    private List<Row> runLoad(List<ServerDef> chosen, List<Point> chosenPoints, Instant started) {
        List<Row> rows = new ArrayList<>();
        java.util.function.BiPredicate<ServerDef, Point> runs = (def, point) -> !lesson
                || Lesson.runs(def.id(), point);
        int total = (int) chosenPoints.stream().mapToLong(p -> chosen.stream().filter(d -> runs.test(d, p)).count())
                .sum();
        int index = 0;
        boolean affinityChecked = false;
        long loadStarted = System.nanoTime();
        for (Point point : chosenPoints) {
            for (ServerDef def : chosen) {
                if (!runs.test(def, point)) {
                    continue;
                }
                index++;
                String prefix = String.format(Locale.ROOT, "[%d/%d %s%s] %s  %s", index, total,
                        elapsed(started), left(loadStarted, index - 1, total), point.label(), def.id());
                Row row = runner.runPoint(def, point, prefix, !affinityChecked);
                affinityChecked = true;
                rows.add(row);
                progress.line(prefix + ": " + PointRunner.summary(row));
            }
        }
        return rows;
    }

    // ------------------------------------------------------------ helpers

    private Map<String, String> settings(Instant started, Path sockperf) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("started", started.toString());
        m.put("command", "bench/compare " + String.join(" ", args));
        m.put("cpu", Procs.cpuModel() + ", " + Procs.cpuCount() + " CPUs, " + Runtime.getRuntime().availableProcessors()
                + " of them available to the load generator");
        m.put("kernel", Procs.kernel());
        m.put("jdk", System.getProperty("java.vm.vendor") + " " + Runtime.version());
        m.put("server cpu", serverCpu < 0 ? "not pinned" : Integer.toString(serverCpu));
        m.put("load generator cpus", Procs.cpusAllowed("self"));
        m.put("load generator", "dev.uloop.loadgen.LoadGenerator (uloop bench), in this process, backend "
                + Backend.best().id());
        m.put("rounds", Integer.toString(rounds));
        m.put("warmup", seconds(warmup));
        m.put("duration", seconds(duration));
        m.put("message size", size + " bytes, 1 in flight per connection (ping-pong)");
        m.put("connect rate", connectRate + "/s");
        m.put("sockperf", sockperf == null ? "not installed" : sockperfVersion(sockperf));
        m.put("server jvm options", serverJvmOpts.isBlank() ? "(none)" : serverJvmOpts);
        m.put("load average at the start", Procs.loadAverage());
        return m;
    }

    static String[] args = new String[0];

    private static String sockperfVersion(Path sockperf) {
        try {
            String v = Jvm.run(List.of(sockperf.toString(), "--version"), 10);
            return v.lines().findFirst().orElse("?").strip();
        } catch (IOException e) {
            return "installed (version unknown)";
        }
    }

    private List<String> jvmOpts() {
        return serverJvmOpts.isBlank() ? List.of() : List.of(serverJvmOpts.strip().split("\\s+"));
    }

    private static List<Point> selectPoints(String filter) {
        if (filter == null || filter.isBlank() || filter.equalsIgnoreCase("all")) {
            return Point.ALL;
        }
        List<Point> known = new ArrayList<>(Point.ALL);
        Lesson.POINTS.stream().filter(p -> !known.contains(p)).forEach(known::add);
        List<String> wanted = Arrays.stream(filter.split("\\s*,\\s*")).toList();
        for (String w : wanted) {
            if (known.stream().noneMatch(p -> Servers.matches(p.id(), w))) {
                throw new IllegalArgumentException("no point '" + w + "'; choose from "
                        + String.join(", ", known.stream().map(Point::id).toList()));
            }
        }
        return known.stream().filter(p -> wanted.stream().anyMatch(w -> Servers.matches(p.id(), w))).toList();
    }

    /** The next free port from --base-port on (a thousand of them in turn). */
    private int port() {
        for (int i = 0; i < 1000; i++) {
            int p = nextPort;
            nextPort = nextPort + 1 >= basePort + 1000 ? basePort : nextPort + 1;
            if (ServerProcess.portFree(p)) {
                return p;
            }
        }
        throw new IllegalStateException("no free port in " + basePort + "-" + (basePort + 999));
    }


    static String oneLine(String s) {
        return s == null ? "?" : s.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        if (ms >= 60_000) {
            return String.format(Locale.ROOT, "%d min %02d s", ms / 60_000, (ms / 1000) % 60);
        }
        return ms % 1000 == 0 ? (ms / 1000) + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1e3);
    }

    /** {@code ", ~3:10 left"} from the time the finished runs took, or "" before the first one. */
    private static String left(long startedNanos, int done, int total) {
        if (done == 0) {
            return "";
        }
        long s = (System.nanoTime() - startedNanos) / done * (total - done) / 1_000_000_000L;
        return String.format(Locale.ROOT, ", ~%d:%02d left", s / 60, s % 60);
    }

    /** A paragraph wrapped at 100 columns for the terminal. */
    static String wrap(String paragraph) {
        StringBuilder sb = new StringBuilder();
        int col = 0;
        for (String w : paragraph.split(" ")) {
            if (col > 0 && col + 1 + w.length() > 100) {
                sb.append('\n');
                col = 0;
            } else if (col > 0) {
                sb.append(' ');
                col++;
            }
            sb.append(w);
            col += w.length();
        }
        return sb.append('\n').toString();
    }

    private static String elapsed(Instant started) {
        long s = Duration.between(started, Instant.now()).toSeconds();
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Files in the latest folder that other tools write there ({@code bench/sntp}): kept when a run is copied in. */
    static final Set<String> KEPT_IN_LATEST = Set.of("sntp.md");

    private static void copyFolder(Path from, Path to) throws IOException {
        if (Files.isDirectory(to)) {
            try (Stream<Path> files = Files.list(to)) {
                for (Path p : files.toList()) {
                    if (!KEPT_IN_LATEST.contains(p.getFileName().toString())) {
                        deleteTree(p);
                    }
                }
            }
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** {@code 3s}, {@code 500ms}, {@code 2m}, or a number of seconds. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String s) {
            String v = s.strip().toLowerCase(Locale.ROOT);
            try {
                if (v.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                }
                if (v.endsWith("s")) {
                    return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
                }
                if (v.endsWith("m")) {
                    return Duration.ofSeconds(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60));
                }
                return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("not a duration: '" + s + "' (e.g. 3s, 500ms)");
            }
        }
    }
}
