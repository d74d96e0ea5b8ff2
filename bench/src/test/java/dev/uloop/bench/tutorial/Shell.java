package dev.uloop.bench.tutorial;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One tutorial command run by bash in the repository root, as a reader runs it in a
 * terminal, its output collected. The command goes in an environment variable, so that
 * bash's own command line does not hold it (a {@code pgrep -f} in it finds the server, not
 * the shell). A server or background command is exec'd, so that SIGTERM reaches it.
 */
final class Shell implements AutoCloseable {
    private final String command;
    private final Process process;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Thread outReader;
    private final Thread errReader;

    private Shell(Path root, String command, boolean exec) throws IOException {
        this.command = command;
        ProcessBuilder pb = new ProcessBuilder("bash", "-c",
                exec ? "eval \"exec $TUTORIAL_COMMAND\"" : "eval \"$TUTORIAL_COMMAND\"")
                .directory(root.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("TUTORIAL_COMMAND", command);
        pb.environment().put("LC_ALL", "C");
        this.process = pb.start();
        this.outReader = drain(process.getInputStream(), out);
        this.errReader = drain(process.getErrorStream(), err);
    }

    /** Starts a command that runs until stopped (a server, a background client). */
    static Shell start(Path root, String command) throws IOException {
        return new Shell(root, command, true);
    }

    /** Runs a command to its end, killing it after {@code timeout}. */
    static Shell run(Path root, String command, Duration timeout) throws IOException, InterruptedException {
        Shell s = new Shell(root, command, false);
        if (!s.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            s.kill();
            throw new AssertionError("timed out after " + timeout.toSeconds() + " s: " + s.describe());
        }
        s.outReader.join(10_000);
        s.errReader.join(10_000);
        return s;
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream sink) {
        return Thread.ofPlatform().daemon().start(() -> {
            byte[] buf = new byte[8192];
            int n;
            try (in) {
                while ((n = in.read(buf)) > 0) {
                    synchronized (sink) {
                        sink.write(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                // The process ended.
            }
        });
    }

    String stdout() {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    String stderr() {
        synchronized (err) {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    /** Both outputs, for matching what the tutorial says a command prints. */
    String output() {
        return stdout() + stderr();
    }

    boolean alive() {
        return process.isAlive();
    }

    int exit() {
        return process.exitValue();
    }

    long pid() {
        return process.pid();
    }

    /** Waits up to {@code timeout} for the process to exit, then for its output; whether it exited. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return false;
        }
        outReader.join(5_000);
        errReader.join(5_000);
        return true;
    }

    /** Waits up to {@code timeout} until its output contains one of {@code marks}, or it exits. */
    boolean awaitOutput(List<String> marks, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String o = output();
            if (marks.stream().anyMatch(o::contains)) {
                return true;
            }
            if (!process.isAlive()) {
                awaitExit(Duration.ofSeconds(5));
                o = output();
                return marks.stream().anyMatch(o::contains);
            }
            process.waitFor(50, TimeUnit.MILLISECONDS);
        }
        return false;
    }

    /** SIGTERM, then SIGKILL after {@code timeout}; whether it exited on SIGTERM. */
    boolean stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (awaitExit(timeout)) {
            return true;
        }
        kill();
        return false;
    }

    void kill() {
        process.destroyForcibly();
    }

    /** For assertion messages: the command, its state and its output. */
    String describe() {
        String state = process.isAlive() ? "running" : "exited " + process.exitValue();
        return command + " (" + state + ")\nstdout: " + tail(stdout()) + "\nstderr: " + tail(stderr());
    }

    private static String tail(String s) {
        return s.length() > 3000 ? "..." + s.substring(s.length() - 3000) : s;
    }

    /**
     * Established TCP connections whose remote port is {@code port} (clients of a local
     * server), from /proc/net/tcp and tcp6.
     */
    static int clientsOf(int port) throws IOException {
        int n = 0;
        String hex = String.format("%04X", port);
        for (String f : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(f);
            if (!Files.isReadable(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p)) {
                String[] c = line.strip().split("\\s+");
                if (c.length > 3 && c[2].endsWith(":" + hex) && c[3].equals("01")) {
                    n++;
                }
            }
        }
        return n;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
