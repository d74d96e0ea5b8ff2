package dev.uloop.bench.compare;

import dev.uloop.Backend;
import dev.uloop.loadgen.BenchResult;
import dev.uloop.loadgen.LoadGenerator;
import dev.uloop.loadgen.LoadSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * Measures one (server, point) of the comparison: starts the server pinned to its CPU, runs
 * the rounds of load against it (a disturbed round again, within a budget), counts its
 * garbage collections over each measured window, and stops it. {@link Compare} drives it
 * over the servers and points, and reuses {@link #runRound} for its other measurements.
 */
final class PointRunner {

    /**
     * How every point is measured.
     *
     * @param rounds       rounds per point
     * @param warmup       traffic before each round's window
     * @param duration     each round's measured window
     * @param size         message size
     * @param connectRate  connections opened per second at most
     * @param serverCpu    the CPU servers are pinned to, or -1
     * @param jvmOpts      extra options for the Java servers
     * @param maxOtherCpu  a round during which other programs used more CPU than this is run again
     * @param retries      how many times a disturbed round is run again at most
     * @param rerunBudget  the time the whole run may spend on that
     * @param quietWait    how long to wait for a quiet machine before running a round again
     */
    record Settings(int rounds, Duration warmup, Duration duration, int size, int connectRate, int serverCpu,
                    List<String> jvmOpts, double maxOtherCpu, int retries, Duration rerunBudget, Duration quietWait) {}

    private final Settings s;
    private final Progress progress;
    private final List<String> notes;
    private final Path work;
    private final Path logs;
    private final IntSupplier ports;
    private volatile ServerProcess current;
    private long rerunNanos;
    private boolean budgetNoted;
    /** Sockets the load generator left open, closed by {@link SocketSweeper}. */
    private long leftOpen;

    /**
     * @param settings how points are measured
     * @param progress the progress lines
     * @param notes    the run's notes, added to
     * @param work     a folder for the servers' files
     * @param logs     where the output of a failed server is saved
     * @param ports    the next free port
     */
    PointRunner(Settings settings, Progress progress, List<String> notes, Path work, Path logs, IntSupplier ports) {
        this.s = settings;
        this.progress = progress;
        this.notes = notes;
        this.work = work;
        this.logs = logs;
        this.ports = ports;
    }

    /** The server running now, or null (stopped by the run's shutdown hook). */
    ServerProcess current() {
        return current;
    }

    /** Makes {@code server} the one the shutdown hook stops (null: none). */
    void current(ServerProcess server) {
        current = server;
    }

    /** Sockets the load generator left open over the whole run (and the sweeper closed). */
    long leftOpen() {
        return leftOpen;
    }

    static String summary(Row r) {
        if (!r.ok()) {
            return r.status().name().toLowerCase(Locale.ROOT) + ": " + r.note();
        }
        return String.format(Locale.ROOT, "%,.0f msgs/s, p50 %.0f us, p99 %.0f us, CPU %s us/msg, errors %d,"
                        + " CPUs server %s gen %s others %.2f (rounds: %s)%s",
                r.msgsPerSec(), r.p50(), r.p99(), Report.fmt("%.2f", r.cpuUsPerMsg()), r.errors(),
                Report.fmt("%.2f", r.serverCpus()), Report.fmt("%.2f", r.genCpus()), r.otherCpu(),
                String.join(" ", r.roundMsgs().stream().map(d -> String.format(Locale.ROOT, "%,.0f", d)).toList()),
                r.note().isEmpty() ? "" : "; " + r.note());
    }

    Row runPoint(ServerDef def, Point point, String prefix, boolean checkAffinity) {
        int port = ports.getAsInt();
        ServerProcess server;
        progress.live(prefix + ": starting");
        try {
            server = ServerProcess.start(def.id(), def.launcher().command(port, point.udp(), s.jvmOpts(), work),
                    s.serverCpu(), def.ready(), Duration.ofSeconds(60));
        } catch (IOException e) {
            return Row.without(def.id(), def.nativeC(), point, Row.Status.FAILED, "did not start: " + e.getMessage());
        }
        current = server;
        if (checkAffinity && s.serverCpu() >= 0) {
            String cpus = Procs.cpusAllowed(Long.toString(server.pid()));
            if (!cpus.equals(Integer.toString(s.serverCpu()))) {
                notes.add("A server process runs on CPUs " + cpus + ", not " + s.serverCpu() + " as asked.");
            }
        }
        List<BenchResult> results = new ArrayList<>();
        List<GcCounter.Window> gcs = new ArrayList<>();
        List<Double> genCpus = new ArrayList<>();
        GcCounter gcCounter = def.java() ? GcCounter.open(server.pid()) : null;
        String failure = null;
        Set<Long> mine = Set.of(ProcessHandle.current().pid(), server.pid());
        double worstOther = 0;
        int reruns = 0;
        for (int r = 1; r <= s.rounds() && failure == null; r++) {
            BenchResult kept = null;
            GcCounter.Window keptGc = null;
            double keptOther = Double.MAX_VALUE;
            double keptGen = Double.NaN;
            for (int attempt = 0; failure == null; attempt++) {
                String roundPrefix = prefix + "  round " + r + "/" + s.rounds() + (attempt > 0 ? " (again)" : "");
                progress.live(roundPrefix);
                ForeignCpu before = ForeignCpu.now(mine);
                long genCpu0 = selfCpuNanos();
                long wall0 = System.nanoTime();
                long waitedFrom = attempt > 0 ? wall0 : -1;
                GcCounter.Window gc = new GcCounter.Window(gcCounter);
                try {
                    BenchResult res = runRound(loadSpec(point, port, server.pid(), def.nativeC()), def.id(),
                            line -> progress.live(roundPrefix + "  " + line), server, gc);
                    double gen = genCpu0 < 0 ? Double.NaN : (selfCpuNanos() - genCpu0) / (double) (System.nanoTime() - wall0);
                    if (waitedFrom > 0) {
                        rerunNanos += System.nanoTime() - waitedFrom;
                    }
                    ForeignCpu.Use other = ForeignCpu.now(mine).since(before);
                    if (!server.alive()) {
                        failure = roundFailure(server, r, "");
                    } else if (res.messages() == 0) {
                        failure = "no replies in round " + r + " (" + res.errors() + " errors)" + server.hint();
                    } else {
                        if (other.worst() < keptOther) {
                            kept = res;
                            keptGc = gc;
                            keptOther = other.worst();
                            keptGen = gen;
                        }
                        if (other.worst() <= s.maxOtherCpu() || attempt >= s.retries()) {
                            break;
                        }
                        if (rerunNanos > s.rerunBudget().toNanos()) {
                            if (!budgetNoted) {
                                budgetNoted = true;
                                notes.add("The rerun budget (--rerun-budget " + Compare.seconds(s.rerunBudget()) + ") was spent:"
                                        + " later disturbed rounds were kept as they were (see the NOTE column).");
                            }
                            break;
                        }
                        reruns++;
                        progress.line(String.format(Locale.ROOT, "%s  round %d: other programs used %.2f CPU (steal %.2f),"
                                + " %,.0f msgs/s; running it again", prefix, r, other.otherCpus(), other.stealCpus(),
                                res.msgsPerSec()));
                        long w0 = System.nanoTime();
                        awaitQuiet(mine, prefix);
                        rerunNanos += System.nanoTime() - w0;
                    }
                } catch (IOException | RuntimeException e) {
                    failure = roundFailure(server, r, e.getMessage());
                }
            }
            if (kept != null && failure == null) {
                results.add(kept);
                gcs.add(keptGc);
                genCpus.add(keptGen);
                worstOther = Math.max(worstOther, keptOther);
            }
        }
        String stopped = server.stop(Duration.ofSeconds(15));
        current = null;
        if (!ServerProcess.awaitPortFree(port, Duration.ofSeconds(3))) {
            // sockperf's accepted sockets (no SO_REUSEADDR) linger after it exits; the next server takes another port.
            progress.line(prefix + ": port " + port + " still busy 3 s after the server stopped; going on");
        }
        if (failure != null) {
            saveLog(server, def.id() + "-" + point.id());
            return Row.without(def.id(), def.nativeC(), point, Row.Status.FAILED, Compare.oneLine(failure));
        }
        List<String> note = new ArrayList<>();
        if (worstOther > s.maxOtherCpu()) {
            note.add(String.format(Locale.ROOT, "busy machine: other programs used up to %.2f CPU", worstOther));
        }
        if (reruns > 0) {
            note.add(reruns + " disturbed round(s) run again");
        }
        if (stopped != null) {
            note.add("on SIGTERM it " + stopped);
        }
        if (def.java() && gcCounter == null) {
            note.add("no GC count: its JVM publishes no performance data");
        }
        return Row.measured(def.id(), def.nativeC(), point, results, gcs, genCpus, String.join("; ", note), worstOther);
    }

    /** This process's CPU time (the load generator's), or -1. */
    private static long selfCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /** Waits (up to --quiet-wait) until other programs use at most --max-other-cpu over half a second. */
    private void awaitQuiet(Set<Long> mine, String prefix) {
        long deadline = System.nanoTime() + s.quietWait().toNanos();
        try {
            while (true) {
                ForeignCpu a = ForeignCpu.now(mine);
                Thread.sleep(500);
                ForeignCpu.Use u = ForeignCpu.now(mine).since(a);
                if (u.worst() <= s.maxOtherCpu() || System.nanoTime() > deadline) {
                    return;
                }
                progress.live(String.format(Locale.ROOT, "%s  waiting for a quiet machine: other programs use %.2f CPU",
                        prefix, u.worst()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Why a round failed. A server that exited (or is exiting: a dying server's connections
     * fail first) is the reason, told by its last line, e.g. {@code select_echo.py:
     * select.select() raised ValueError: filedescriptor out of range in select() ...}; else
     * the load generator's error.
     */
    static String roundFailure(ServerProcess server, int round, String error) {
        String last = server.exitReason(Duration.ofSeconds(2));
        if (last != null || !server.alive()) {
            return "server exited with status " + exitStatus(server) + " in round " + round
                    + (last == null ? "" : ": " + last);
        }
        return "round " + round + ": " + error + server.hint();
    }

    private static String exitStatus(ServerProcess s) {
        return s.alive() ? "running" : Integer.toString(s.exitCode());
    }

    private LoadSpec loadSpec(Point point, int port, long pid, boolean sockperf) {
        return new LoadSpec(new InetSocketAddress("127.0.0.1", port), point.udp(), point.connections(), point.idle(),
                s.size(), 1, s.warmup(), s.duration(), s.connectRate(), sockperf, pid, Backend.best());
    }

    /**
     * One round of load on a thread of its own, so that a stuck generator cannot stall the
     * whole run: past its time the server is killed, which ends the generator's connections.
     *
     * @param gc counts the server's collections over the measured window (a window over no counter counts nothing)
     */
    BenchResult runRound(LoadSpec spec, String label, Consumer<String> live, ServerProcess server,
                         GcCounter.Window gc) throws IOException {
        long connectMillis = 10_000 + 1000L * (spec.connections() + spec.idle()) / spec.connectRate();
        Duration limit = spec.warmup().plus(spec.duration()).plusMillis(connectMillis).plusSeconds(30);
        Set<Integer> socketsBefore = SocketSweeper.sockets();
        CompletableFuture<BenchResult> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(new LoadGenerator(spec).onMeasure(gc::start, gc::end).run(label, live));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "load-generator");
        t.setDaemon(true);
        t.start();
        try {
            BenchResult r = f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            leftOpen += SocketSweeper.closeNew(socketsBefore);
            return r;
        } catch (TimeoutException e) {
            server.kill();
            throw new IOException("the load generator did not finish within " + Compare.seconds(limit) + "; server killed");
        } catch (ExecutionException e) {
            leftOpen += SocketSweeper.closeNew(socketsBefore);
            Throwable c = e.getCause();
            throw new IOException(c.getMessage() != null ? c.getMessage() : c.toString(), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    // ------------------------------------------------------------ load generator check

    /** sockperf's own ping-pong client and the load generator against sockperf's server, one connection each. */
    LoadgenCheck loadgenCheck(List<ServerDef> catalogue, Path sockperf, boolean udp) {
        String transport = udp ? "udp" : "tcp";
        ServerDef def = catalogue.stream().filter(d -> d.id().equals("sockperf-epoll")).findFirst().orElseThrow();
        String prefix = "load generator check (" + transport + ")";
        double[] sp = {Double.NaN, Double.NaN, Double.NaN};
        double[] lg = {Double.NaN, Double.NaN, Double.NaN};
        List<String> problems = new ArrayList<>();
        int port = ports.getAsInt();
        ServerProcess server = null;
        try {
            progress.live(prefix + ": sockperf ping-pong");
            server = ServerProcess.start(def.id(), def.launcher().command(port, udp, List.of(), work), s.serverCpu(),
                    def.ready(), Duration.ofSeconds(30));
            current(server);
            long secs = Math.max(1, Math.round((s.warmup().toMillis() + s.duration().toMillis()) / 1000.0));
            List<String> cmd = new ArrayList<>(List.of(sockperf.toString(), "ping-pong", "-i", "127.0.0.1", "-p",
                    Integer.toString(port), "-t", Long.toString(secs), "-m", Integer.toString(s.size()), "--full-rtt"));
            if (!udp) {
                cmd.add("--tcp");
            }
            try {
                sp = LoadgenCheck.parseSockperf(Jvm.run(cmd, (int) secs + 30));
            } catch (IOException e) {
                problems.add("sockperf ping-pong: " + Compare.oneLine(e.getMessage()));
            }
            progress.live(prefix + ": load generator");
            try {
                BenchResult r = runRound(new LoadSpec(new InetSocketAddress("127.0.0.1", port), udp, 1, 0, s.size(), 1,
                        s.warmup(), s.duration(), s.connectRate(), true, server.pid(), Backend.best()), "check",
                        s -> progress.live(prefix + ": load generator  " + s), server, new GcCounter.Window(null));
                lg = new double[] {r.msgsPerSec(), r.p50(), r.p99()};
            } catch (IOException e) {
                problems.add("load generator: " + Compare.oneLine(e.getMessage()));
            }
        } catch (IOException e) {
            problems.add(Compare.oneLine(e.getMessage()));
        } finally {
            if (server != null) {
                server.stop(Duration.ofSeconds(10));
                current(null);
                ServerProcess.awaitPortFree(port, Duration.ofSeconds(5));
            }
        }
        LoadgenCheck c = new LoadgenCheck(transport, sp[0], sp[1], sp[2], lg[0], lg[1], lg[2], String.join("; ", problems));
        progress.line(String.format(Locale.ROOT, "%s: sockperf ping-pong %s msgs/s (p50 %s us), load generator %s msgs/s"
                        + " (p50 %s us)%s", prefix, Report.fmt("%,.0f", c.sockperfRate()), Report.fmt("%.1f", c.sockperfP50()),
                Report.fmt("%,.0f", c.loadgenRate()), Report.fmt("%.1f", c.loadgenP50()),
                c.note().isEmpty() ? "" : "; " + c.note()));
        return c;
    }

    // ------------------------------------------------------------ allocation

    /** The bytes the server's loop thread allocates per echoed message at {@code point}, from its JFR recording. */
    AllocResult allocation(ServerDef def, Point point) {
        String thread = def.id().startsWith("uloop-") && !def.id().contains("blocking") && !def.id().contains("virtual")
                ? "uloop-echo-0" : null;      // the (first) loop thread of serve echo
        if (!def.java()) {
            return new AllocResult(def.id(), point, "-", Double.NaN, Double.NaN, 0, 0, 0, "not a Java server");
        }
        int port = ports.getAsInt();
        Path jfr = work.resolve("alloc-" + def.id() + ".jfr");
        String prefix = "allocation: " + def.id() + " " + point.label();
        progress.live(prefix + ": starting");
        ServerProcess server = null;
        try {
            List<String> opts = new ArrayList<>(s.jvmOpts());
            opts.addAll(AllocProbe.jvmOptions(jfr));
            server = ServerProcess.start(def.id(), def.launcher().command(port, point.udp(), opts, work), s.serverCpu(),
                    def.ready(), Duration.ofSeconds(60));
            current(server);
            // A longer warm-up than the rounds': JIT and JFR settle before the window.
            LoadSpec spec = new LoadSpec(new InetSocketAddress("127.0.0.1", port), point.udp(), point.connections(),
                    point.idle(), s.size(), 1, s.warmup().plusSeconds(1), s.duration().plusSeconds(1), s.connectRate(), false, server.pid(),
                    Backend.best());
            BenchResult r = runRound(spec, def.id(), s -> progress.live(prefix + "  " + s), server,
                    new GcCounter.Window(null));
            Instant end = Instant.now();
            Instant start = end.minusNanos((long) (r.seconds() * 1e9));
            String stopped = server.stop(Duration.ofSeconds(15));
            current(null);
            ServerProcess.awaitPortFree(port, Duration.ofSeconds(10));
            if (!Files.exists(jfr)) {
                return new AllocResult(def.id(), point, thread == null ? "?" : thread, Double.NaN, Double.NaN, 0, 0,
                        r.msgsPerSec(), "no JFR file" + (stopped == null ? "" : "; on SIGTERM it " + stopped));
            }
            AllocResult a = AllocProbe.compute(def.id(), point, AllocProbe.read(jfr), thread, start, end, r.msgsPerSec());
            progress.line(String.format(Locale.ROOT, "%s: %s B/msg (median interval %s) on thread \"%s\" at %,.0f msgs/s",
                    prefix, Report.fmt("%.1f", a.bytesPerMsg()), Report.fmt("%.1f", a.medianBytesPerMsg()), a.thread(),
                    a.msgsPerSec()));
            return a;
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.stop(Duration.ofSeconds(15));
                saveLog(server, "alloc-" + def.id());
            }
            current(null);
            return new AllocResult(def.id(), point, thread == null ? "?" : thread, Double.NaN, Double.NaN, 0, 0, 0,
                    "failed: " + Compare.oneLine(e.getMessage()));
        }
    }

    /** Keeps a failed server's output under logs/ (best effort: the row says why it failed). */
    private void saveLog(ServerProcess server, String name) {
        try {
            server.saveOutput(logs.resolve(name + ".log"));
        } catch (IOException e) {
            // Best effort.
        }
    }
}
