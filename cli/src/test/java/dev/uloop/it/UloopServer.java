package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.function.Executable;

/**
 * One real {@code bin/uloop serve ...} process: started with {@link ProcessBuilder}, ready
 * once it printed its {@code uloop <service> ready: tcp <addr>, udp <addr> (...)} line, and
 * stopped with SIGTERM, after which it must exit 0 without a stack trace on stderr.
 */
final class UloopServer implements AutoCloseable {

    /** How a server runs its service: on the event loop with one backend (or two loops), or blocking. */
    enum Mode {
        EPOLL("(backend epoll)", "--backend", "epoll"),
        POLL("(backend poll)", "--backend", "poll"),
        SELECT("(backend select)", "--backend", "select"),
        /** Two event loops sharing the ports (SO_REUSEPORT). */
        EPOLL_2_LOOPS("(backend epoll, 2 loops)", "--backend", "epoll", "--loops", "2"),
        /** io_uring (readiness), two loops: skipped where the kernel refuses io_uring. */
        IO_URING_2_LOOPS("(backend io_uring, 2 loops)", "--backend", "io_uring", "--loops", "2"),
        /** io_uring with completion-based TCP I/O, two loops: skipped before Linux 6.0 or without io_uring. */
        IO_URING_COMPLETION_2_LOOPS("(backend io_uring-completion, 2 loops)", "--backend", "io_uring-completion",
                "--loops", "2"),
        BLOCKING("(blocking, platform threads)", "--blocking"),
        VIRTUAL("(blocking, virtual threads)", "--blocking", "--virtual");

        /** What the ready line says about this mode. */
        final String readyTag;
        final List<String> args;

        Mode(String readyTag, String... args) {
            this.readyTag = readyTag;
            this.args = List.of(args);
        }

        /** Whether this machine can run the mode (io_uring may be refused by the kernel). */
        boolean available() {
            return backend() == null || backend().isAvailable();
        }

        /** The backend the mode names, or null. */
        private dev.uloop.Backend backend() {
            int i = args.indexOf("--backend");
            return i < 0 ? null : dev.uloop.Backend.parse(args.get(i + 1));
        }

        /** Skips the calling test when the mode cannot run here. */
        void assumeAvailable() {
            org.junit.jupiter.api.Assumptions.assumeTrue(available(), () -> this + " cannot run here: "
                    + backend().unavailableReason().orElse("unavailable"));
        }

        /** The modes this machine can run, of {@code modes}. */
        static List<Mode> availableOf(List<Mode> modes) {
            return modes.stream().filter(Mode::available).toList();
        }
    }

    /** The repository root: the nearest directory, from the working directory up, with bin/uloop. */
    static final Path ROOT = findRoot();

    /** Normal time to the ready line (a JVM start on a busy 2-core machine). */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(45);
    /** Time to the ready line when bin/uloop says it is (re)building the project first. */
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    /** How long SIGTERM may take before the process counts as hung. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private static final Pattern READY = Pattern.compile("^uloop (\\S+) ready: .*");
    private static final Pattern TCP = Pattern.compile("tcp (\\S+?)[,\\s(]");
    private static final Pattern UDP = Pattern.compile("udp (\\S+)");
    private static final Pattern UNIX = Pattern.compile("unix (\\S+?)[,\\s(]");

    private final List<String> command;
    private final Process process;
    private final StringBuffer stderr = new StringBuffer();
    private final List<String> stdout = new ArrayList<>();
    private final CompletableFuture<String> readyLine = new CompletableFuture<>();
    private final Thread outReader;
    private final Thread errReader;
    private String ready;
    private InetSocketAddress tcp;
    private InetSocketAddress udp;
    private Stopped stopped;

    /** What a stop found: exit status, stderr, and how long the process took to exit. */
    record Stopped(int exitStatus, String stderr, Duration took) {}

    private UloopServer(List<String> serveArgs) throws IOException {
        this(List.of(), serveArgs);
    }

    private UloopServer(List<String> prefix, List<String> serveArgs) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(ROOT.resolve("bin/uloop").toString());
        cmd.add("serve");
        cmd.addAll(serveArgs);
        this.command = List.copyOf(cmd);
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        this.process = pb.start();
        this.outReader = Thread.ofPlatform().daemon().name("uloop-out-" + process.pid()).start(this::readStdout);
        this.errReader = Thread.ofPlatform().daemon().name("uloop-err-" + process.pid()).start(this::readStderr);
    }

    /** Starts {@code bin/uloop serve <args>} without waiting; call {@link #awaitReady()}. */
    static UloopServer launch(String... serveArgs) throws IOException {
        ensureBuilt();
        return new UloopServer(List.of(serveArgs));
    }

    private static boolean built;

    /**
     * Runs {@code bin/uloop --version} once, so that a (re)build bin/uloop needs happens
     * there, with minutes to spare, rather than in servers started together that would wait
     * on its build lock without a word and time out.
     */
    static synchronized void ensureBuilt() {
        if (built) {
            return;
        }
        Exec.Result r = Exec.run(BUILD_TIMEOUT, null, ROOT.resolve("bin/uloop").toString(), "--version");
        if (r.timedOut() || r.exit() != 0) {
            fail("bin/uloop does not run: " + r.describe());
        }
        built = true;
    }

    /**
     * Starts {@code <prefix...> bin/uloop serve <args>} without waiting, for a wrapper that
     * execs uloop (systemd-socket-activate, prlimit); call {@link #awaitReady()}.
     */
    static UloopServer launchUnder(List<String> prefix, String... serveArgs) throws IOException {
        ensureBuilt();
        return new UloopServer(prefix, List.of(serveArgs));
    }

    /** Starts {@code bin/uloop serve <args>} and waits for its ready line. */
    static UloopServer start(String... serveArgs) throws IOException {
        UloopServer s = launch(serveArgs);
        try {
            return s.awaitReady();
        } catch (Throwable t) {
            s.kill();
            throw t;
        }
    }

    /**
     * Starts {@code bin/uloop serve <args>} under {@code prlimit --nofile=N:N} (at most
     * {@code nofile} open descriptors from the start) and waits for its ready line.
     */
    static UloopServer startWithFdLimit(long nofile, String... serveArgs) throws IOException {
        return startUnder(List.of("prlimit", "--nofile=" + nofile + ":" + nofile), serveArgs);
    }

    /**
     * Starts {@code <prefix> bin/uloop serve <args>} (e.g. {@code env NAME=VALUE}) and waits
     * for its ready line.
     */
    static UloopServer startUnder(List<String> prefix, String... serveArgs) throws IOException {
        ensureBuilt();
        UloopServer s = new UloopServer(prefix, List.of(serveArgs));
        try {
            return s.awaitReady();
        } catch (Throwable t) {
            s.kill();
            throw t;
        }
    }

    /** Starts {@code serve <service> --port 0 <mode args> <extra>} and waits for its ready line. */
    static UloopServer start(String service, Mode mode, String... extra) throws IOException {
        return start(args(service, mode, extra));
    }

    /** The argument list for a service in a mode on a free port, plus extra arguments. */
    static String[] args(String service, Mode mode, String... extra) {
        List<String> a = new ArrayList<>(List.of(service, "--port", "0"));
        a.addAll(mode.args);
        a.addAll(Arrays.asList(extra));
        return a.toArray(String[]::new);
    }

    /** Starts one server per mode in parallel (JVM starts overlap) and waits for all. */
    static List<UloopServer> startAll(String service, List<Mode> modes, String... extra) throws IOException {
        List<UloopServer> servers = new ArrayList<>();
        try {
            for (Mode m : modes) {
                servers.add(launch(args(service, m, extra)));
            }
            for (int i = 0; i < servers.size(); i++) {
                servers.get(i).awaitReady();
                String tag = modes.get(i).readyTag;
                assertTrue(servers.get(i).readyLine().contains(tag),
                        "ready line of " + servers.get(i).command + " should say " + tag + ": " + servers.get(i).readyLine());
            }
            return servers;
        } catch (Throwable t) {
            servers.forEach(UloopServer::kill);
            throw t;
        }
    }

    /** Stops every server (SIGTERM) and checks each exit; reports all failures together. */
    static void closeAll(List<UloopServer> servers) {
        if (servers == null) {
            return;
        }
        assertAll(servers.stream().<Executable>map(s -> s::close));
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (stdout) {
                    stdout.add(line);
                }
                if (!readyLine.isDone() && READY.matcher(line).matches()) {
                    readyLine.complete(line);
                }
            }
        } catch (IOException e) {
            // The process is gone.
        } finally {
            readyLine.complete(null);
        }
    }

    private void readStderr() {
        try (InputStream in = process.getErrorStream()) {
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) > 0) {
                stderr.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The process is gone.
        }
    }

    /**
     * Waits for the ready line and parses the addresses in it. Fails with the collected
     * stderr if the process exits first or takes too long (longer when bin/uloop builds).
     */
    UloopServer awaitReady() {
        long start = System.nanoTime();
        String line = null;
        while (line == null) {
            try {
                line = readyLine.get(100, TimeUnit.MILLISECONDS);
                if (line == null) {
                    // stdout closed without a ready line: the process is exiting.
                    int status = waitExit(Duration.ofSeconds(10));
                    fail(command + " exited (status " + status + ") before its ready line; stdout:\n"
                            + stdoutText() + "\nstderr:\n" + stderr());
                }
            } catch (java.util.concurrent.TimeoutException e) {
                // Keep waiting while the process runs (or its last output drains), up to the limit.
                Duration limit = stderr().contains("building") || stillInScript() ? BUILD_TIMEOUT : READY_TIMEOUT;
                if (System.nanoTime() - start > limit.toNanos()) {
                    boolean alive = process.isAlive();
                    kill();
                    fail(command + (alive ? " printed no ready line within " + limit.toSeconds() + " s" : " exited without a ready line")
                            + "; stdout:\n" + stdoutText() + "\nstderr:\n" + stderr());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
                throw new AssertionError("interrupted while waiting for " + command, e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError(e);
            }
        }
        this.ready = line;
        Matcher t = TCP.matcher(line);
        Matcher u = UDP.matcher(line);
        this.tcp = t.find() ? parseAddress(t.group(1)) : null;
        this.udp = u.find() ? parseAddress(u.group(1)) : null;
        assertTrue(tcp != null || udp != null || UNIX.matcher(line).find(), "no address in the ready line: " + line);
        return this;
    }

    /**
     * Whether bin/uloop has not exec'd java yet: it is building, or waiting for another
     * command's build (its lock), which it does without a word.
     */
    private boolean stillInScript() {
        return process.isAlive() && process.info().command().map(c -> !c.endsWith("/java")).orElse(false);
    }

    /** {@code 127.0.0.1:40123} or {@code [::1]:40123}. */
    static InetSocketAddress parseAddress(String s) {
        int colon = s.lastIndexOf(':');
        assertTrue(colon > 0, "not host:port: " + s);
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(s.substring(colon + 1));
        assertTrue(port > 0 && port < 65536, "bad port in " + s);
        return new InetSocketAddress(host, port);
    }

    String readyLine() {
        return ready;
    }

    /** The TCP address; fails when the server does not serve TCP. */
    InetSocketAddress tcp() {
        assertNotNull(tcp, "no tcp address in: " + ready);
        return tcp;
    }

    /** The UDP address; fails when the server does not serve UDP. */
    InetSocketAddress udp() {
        assertNotNull(udp, "no udp address in: " + ready);
        return udp;
    }

    /** The Unix stream socket's path ({@code @name}: abstract); fails when the server serves none. */
    String unix() {
        Matcher m = UNIX.matcher(ready);
        assertTrue(m.find(), "no unix address in: " + ready);
        return m.group(1);
    }

    int tcpPort() {
        return tcp().getPort();
    }

    int udpPort() {
        return udp().getPort();
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    String stderr() {
        return stderr.toString();
    }

    String stdoutText() {
        synchronized (stdout) {
            return String.join("\n", stdout);
        }
    }

    List<String> command() {
        return command;
    }

    /** Fails (with stderr) if the process has exited. */
    void assertAlive() {
        assertTrue(process.isAlive(), () -> command + " died (status " + process.exitValue() + "); stderr:\n" + stderr());
    }

    private int waitExit(Duration d) throws InterruptedException {
        if (!process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS)) {
            return -1;
        }
        outReader.join(2000);
        errReader.join(2000);
        return process.exitValue();
    }

    /**
     * Sends SIGTERM and waits for the exit (SIGKILL after {@code timeout}, then fails). The
     * signal goes through the process handle: {@link Process#destroy()} would also close our
     * ends of its pipes, losing what it writes while it stops (its stop line).
     */
    Stopped stop(Duration timeout) {
        if (stopped != null) {
            return stopped;
        }
        long t0 = System.nanoTime();
        process.toHandle().destroy();
        try {
            int status = waitExit(timeout);
            if (status == -1) {
                kill();
                fail(command + " did not exit within " + timeout.toSeconds() + " s of SIGTERM; stderr:\n" + stderr());
            }
            stopped = new Stopped(status, stderr(), Duration.ofNanos(System.nanoTime() - t0));
            return stopped;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new AssertionError("interrupted while stopping " + command, e);
        }
    }

    /** Asserts what a stop must give: exit status 0 and no stack trace on stderr. */
    static void assertCleanExit(List<String> command, Stopped s) {
        assertEquals(0, s.exitStatus(), () -> command + " exited " + s.exitStatus() + " on SIGTERM; stderr:\n" + s.stderr());
        assertNoStackTrace(command, s.stderr());
    }

    static void assertNoStackTrace(List<String> command, String err) {
        assertFalse(err.contains("Exception") || err.contains("\tat "),
                () -> command + " printed a stack trace on stderr:\n" + err);
    }

    /** SIGTERM, then: exit 0, no stack trace on stderr, nothing on stdout but the ready line. */
    @Override
    public void close() {
        if (process.isAlive() || stopped == null) {
            assertCleanExit(command, stop(STOP_TIMEOUT));
            assertEquals(ready, stdoutText(), () -> command + ": stdout should hold the ready line only");
        }
    }

    /** SIGKILL without checks, for clean-up after a failure. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return String.join(" ", command.subList(1, command.size()));
    }

    private static Path findRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isExecutable(d.resolve("bin/uloop"))) {
                return d;
            }
        }
        throw new IllegalStateException("no bin/uloop in " + dir + " or above");
    }
}
