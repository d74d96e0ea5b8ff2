package dev.uloop.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs external programs (the peers: socat, nc, rdate, sockperf) with a timeout. */
final class Exec {
    private Exec() {}

    /** What a finished (or killed) command gave. */
    record Result(List<String> command, int exit, byte[] out, String err, boolean timedOut, Duration elapsed) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }

        /** For assertion messages. */
        String describe() {
            String o = text();
            if (o.length() > 2000) {
                o = o.substring(0, 2000) + "... (" + out.length + " bytes)";
            }
            return String.join(" ", command) + (timedOut ? " TIMED OUT" : " exited " + exit)
                    + " after " + elapsed.toMillis() + " ms\nstdout: " + o + "\nstderr: " + err;
        }
    }

    /**
     * The absolute path of {@code command} (on PATH, or in the sbin folders a non-root PATH
     * lacks); when missing, the test is skipped with a message naming the Debian package.
     */
    static String peer(String command, String debianPackage) {
        Set<String> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(Arrays.asList(path.split(":")));
        }
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, command);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toString();
            }
        }
        assumeTrue(false, command + " not installed (Debian package " + debianPackage + "); skipping");
        throw new IllegalStateException("unreachable");
    }

    /** Runs a command, feeding it {@code stdin} (nothing when null), killing it after {@code timeout}. */
    static Result run(Duration timeout, byte[] stdin, String... command) {
        try (Running r = start(command)) {
            r.writeAndClose(stdin);
            return r.finish(timeout);
        }
    }

    static Result run(Duration timeout, byte[] stdin, List<String> command) {
        return run(timeout, stdin, command.toArray(String[]::new));
    }

    /** Starts a command whose stdin stays open until {@link Running#closeStdin()}. */
    static Running start(String... command) {
        return new Running(List.of(command));
    }

    /** A running command; stdout and stderr are collected as they come. */
    static final class Running implements AutoCloseable {
        private final List<String> command;
        private final Process process;
        private final long startNanos = System.nanoTime();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final List<Thread> readers = new ArrayList<>();
        private Thread writer;

        private Running(List<String> command) {
            this.command = command;
            try {
                ProcessBuilder pb = new ProcessBuilder(command);
                pb.environment().put("LC_ALL", "C");   // rdate's date, error messages: not translated
                this.process = pb.start();
            } catch (IOException e) {
                throw new AssertionError("cannot start " + command + ": " + e, e);
            }
            readers.add(drain(process.getInputStream(), out, "out"));
            readers.add(drain(process.getErrorStream(), err, "err"));
        }

        private Thread drain(InputStream in, ByteArrayOutputStream sink, String name) {
            return Thread.ofPlatform().daemon().name("exec-" + name + "-" + process.pid()).start(() -> {
                byte[] buf = new byte[65536];
                int n;
                try (in) {
                    while ((n = in.read(buf)) > 0) {
                        synchronized (sink) {
                            sink.write(buf, 0, n);
                            sink.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // The process is gone.
                }
            });
        }

        /** Writes bytes to stdin now (blocking; use only for small data). */
        void write(byte[] data) {
            try {
                OutputStream os = process.getOutputStream();
                os.write(data);
                os.flush();
            } catch (IOException e) {
                throw new AssertionError("cannot write to " + command + ": " + e, e);
            }
        }

        /** Writes {@code data} (if any) from a background thread, then closes stdin. */
        void writeAndClose(byte[] data) {
            writer = Thread.ofPlatform().daemon().name("exec-in-" + process.pid()).start(() -> {
                try (OutputStream os = process.getOutputStream()) {
                    if (data != null) {
                        os.write(data);
                    }
                } catch (IOException e) {
                    // The command stopped reading; its result will tell.
                }
            });
        }

        void closeStdin() {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // Already gone.
            }
        }

        /** Waits until stdout holds at least {@code n} bytes; returns them all (maybe fewer on timeout). */
        byte[] awaitStdout(int n, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (out) {
                while (out.size() < n) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || (!process.isAlive() && !readers.get(0).isAlive())) {
                        break;
                    }
                    out.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
                return out.toByteArray();
            }
        }

        /**
         * Waits until a whole line of stdout matches {@code line}; returns the match, or null
         * when the command exits or {@code timeout} passes first.
         */
        Matcher awaitStdoutLine(Pattern line, Duration timeout)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (out) {
                while (true) {
                    for (String l : out.toString(StandardCharsets.UTF_8).split("\n", -1)) {
                        Matcher m = line.matcher(l);
                        if (m.matches()) {
                            return m;
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || (!process.isAlive() && !readers.get(0).isAlive())) {
                        return null;
                    }
                    out.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
        }

        /**
         * Sends SIGTERM through the process handle, leaving our ends of its pipes open (so
         * that what it prints while it stops is still read); {@link #finish} then collects it.
         */
        void terminate() {
            process.toHandle().destroy();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** What it wrote to stderr so far. */
        String stderrText() {
            synchronized (err) {
                return err.toString(StandardCharsets.UTF_8);
            }
        }

        long pid() {
            return process.pid();
        }

        /** Waits up to {@code timeout} for the exit (killing it then) and collects everything. */
        Result finish(Duration timeout) {
            boolean timedOut = false;
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    timedOut = true;
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
                Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
                for (Thread t : readers) {
                    t.join(2000);
                }
                if (writer != null) {
                    writer.join(1000);
                }
                byte[] o;
                String e;
                synchronized (out) {
                    o = out.toByteArray();
                }
                synchronized (err) {
                    e = err.toString(StandardCharsets.UTF_8);
                }
                return new Result(command, timedOut ? -1 : process.exitValue(), o, e, timedOut, elapsed);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                throw new AssertionError("interrupted while running " + command, ex);
            }
        }

        /** Kills the command if it still runs. */
        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }
}
