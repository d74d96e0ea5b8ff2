package dev.uloop.bench.compare;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One running server process: started (optionally pinned to a CPU with taskset), its
 * output read on a thread of its own and kept in part, ready once a line says so, stopped
 * with SIGTERM.
 */
final class ServerProcess implements AutoCloseable {
    private static final int HEAD_LINES = 30;
    private static final int TAIL_LINES = 60;
    /** Lines that explain a failure: sockperf's warnings, Java exceptions, error messages. */
    private static final Pattern TROUBLE = Pattern.compile(
            "(?i)(warning|error|exception|abort|refus|too many|cannot|can not|failed)");

    /** A Java stack trace's frame or elision line. */
    private static final Pattern STACK_FRAME = Pattern.compile("^\\s+(at |\\.\\.\\. \\d+ more)");

    private final String name;
    private final Process process;
    private final CountDownLatch ready = new CountDownLatch(1);
    /** Counted down once its output has been read to the end. */
    private final CountDownLatch drained = new CountDownLatch(1);
    private final List<String> head = new ArrayList<>();
    private final Deque<String> tail = new ArrayDeque<>();
    private final List<String> trouble = new ArrayList<>();
    private long lines;

    private ServerProcess(String name, Process process, Pattern readyLine) {
        this.name = name;
        this.process = process;
        Thread reader = new Thread(() -> read(readyLine), "output-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a server and waits until it says it is ready.
     *
     * @param name      for messages
     * @param command   the command
     * @param cpu       the CPU to pin it to with taskset, or -1 for none
     * @param readyLine what its ready line contains
     * @param timeout   how long to wait for it
     * @return the running server
     * @throws IOException when it cannot start, exits or stays silent; the message holds its last output
     */
    static ServerProcess start(String name, List<String> command, int cpu, Pattern readyLine, Duration timeout)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        if (cpu >= 0) {
            cmd.addAll(List.of("taskset", "-c", Integer.toString(cpu)));
        }
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        ServerProcess s = new ServerProcess(name, p, readyLine);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!s.ready.await(50, TimeUnit.MILLISECONDS)) {
                if (!p.isAlive()) {
                    throw new IOException(name + " exited with status " + p.exitValue() + " before it was ready"
                            + s.hint());
                }
                if (System.nanoTime() > deadline) {
                    s.kill();
                    throw new IOException(name + " not ready within " + timeout.toSeconds() + " s" + s.hint());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.kill();
            throw new IOException("interrupted", e);
        }
        return s;
    }

    private void read(Pattern readyLine) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                line = line.replaceAll("\u001B\\[[0-9;]*m", "");     // sockperf colours its banner
                synchronized (this) {
                    lines++;
                    if (head.size() < HEAD_LINES) {
                        head.add(line);
                    }
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                    if (trouble.size() < 5 && TROUBLE.matcher(line).find() && !trouble.contains(line.strip())) {
                        trouble.add(line.strip());
                    }
                }
                if (readyLine.matcher(line).find()) {
                    ready.countDown();
                }
            }
        } catch (IOException e) {
            // The process ended.
        } finally {
            drained.countDown();
        }
    }

    /** The process id (taskset execs the server, so it is the server's own). */
    long pid() {
        return process.pid();
    }

    /** The exit status; only once it has exited. */
    int exitCode() {
        return process.exitValue();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The first line that looks like a problem, e.g. {@code sockperf: WARNING: closing a socket...}, or null. */
    synchronized String firstTrouble() {
        return trouble.isEmpty() ? null : trouble.get(0);
    }

    /** {@code ": <first trouble or last line>"}, for failure messages. */
    synchronized String hint() {
        String t = firstTrouble();
        if (t == null && !tail.isEmpty()) {
            t = tail.peekLast().strip();
        }
        return t == null ? "" : ": " + t;
    }

    /**
     * Waits up to {@code timeout} for the process to exit and its output to be read to the
     * end, then gives its last line: what a server that died says as it dies (Python's
     * {@code ValueError: filedescriptor out of range in select()}, sockperf's abort). A Java
     * stack trace's frames are passed over, so that the exception's own line is the one.
     *
     * @param timeout how long to wait for the exit
     * @return the last line, or null while it still runs or when it printed nothing
     */
    String exitReason(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return null;
            }
            drained.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        synchronized (this) {
            List<String> rest = new ArrayList<>(tail);
            for (int i = rest.size() - 1; i >= 0; i--) {
                String l = rest.get(i).strip();
                if (!l.isEmpty() && !STACK_FRAME.matcher(rest.get(i)).find()) {
                    return l;
                }
            }
            return null;
        }
    }

    /** What it printed: the first lines, then the last ones. */
    synchronized String output() {
        StringBuilder sb = new StringBuilder();
        head.forEach(l -> sb.append(l).append('\n'));
        long skipped = lines - head.size() - tail.size();
        List<String> rest = new ArrayList<>(tail);
        if (skipped < 0) {
            rest = rest.subList((int) -skipped, rest.size());
        } else if (skipped > 0) {
            sb.append("... ").append(skipped).append(" lines ...\n");
        }
        rest.forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }

    /** Writes what it printed to a file. */
    void saveOutput(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, output());
    }

    /**
     * Stops it with SIGTERM, then SIGKILL after the timeout.
     *
     * @return null for a clean stop, else what went wrong
     */
    String stop(Duration timeout) {
        if (!process.isAlive()) {
            return "had already exited with status " + process.exitValue();
        }
        process.destroy();                                  // SIGTERM
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return null;
            }
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            return "did not stop within " + timeout.toSeconds() + " s of SIGTERM; killed";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return "interrupted";
        }
    }

    void kill() {
        process.destroyForcibly();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(10));
        }
    }

    /**
     * True when nothing listens or is bound on the port (TCP and UDP) on 127.0.0.1.
     *
     * @param port the port
     * @return whether both binds succeed
     */
    static boolean portFree(int port) {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(lo, port));
        } catch (IOException e) {
            return false;
        }
        try (DatagramSocket d = new DatagramSocket(null)) {
            d.bind(new InetSocketAddress(lo, port));
        } catch (IOException e) {
            return false;
        }
        return true;
    }

    /**
     * Waits until {@link #portFree} or the timeout.
     *
     * @return whether the port is free
     */
    static boolean awaitPortFree(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!portFree(port)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
