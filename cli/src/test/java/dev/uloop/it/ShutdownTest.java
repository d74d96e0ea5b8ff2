package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.uloop.it.UloopServer.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stopping a server with SIGTERM or SIGINT while clients are connected: a graceful stop
 * ends each connection with a FIN after what was sent, never with a reset that would destroy
 * replies a reading client has not read yet. SIGHUP stops a server the same way.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ShutdownTest {
    /** How long a stop may take with a client that never reads (the server's grace deadline). */
    static final Duration GRACE = Duration.ofSeconds(10);

    /**
     * A stop takes as long as there is data to flush: with 10,000 idle connections and
     * nothing queued, the server exits long before its grace deadline, closing each
     * connection with a FIN, with no warning that connections were still open or that
     * threads did not end. (Before, every connection waited for its peer's EOF: the stop
     * took the whole grace, and 4.6 s past it on io_uring-completion.)
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"EPOLL", "POLL", "IO_URING_2_LOOPS", "IO_URING_COMPLETION_2_LOOPS"})
    void sigtermWithTenThousandIdleConnectionsEndsAtOnce(Mode mode) throws Exception {
        mode.assumeAvailable();
        java.util.List<SocketChannel> idle = new java.util.ArrayList<>();
        try (UloopServer s = UloopServer.start("echo", mode, "--tcp", "--grace", "6000")) {
            for (int i = 0; i < 10_000; i++) {
                idle.add(SocketChannel.open(s.tcp()));
            }
            SocketChannel last = idle.get(idle.size() - 1);
            last.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer echoed = ByteBuffer.allocate(4);
            while (echoed.hasRemaining() && last.read(echoed) >= 0) {
                // the server has accepted them all by the time the last one is echoed
            }
            UloopServer.Stopped stopped = s.stop(UloopServer.STOP_TIMEOUT);
            System.out.println("[ShutdownTest " + mode + "] 10,000 idle connections: exit " + stopped.exitStatus()
                    + " " + stopped.took().toMillis() + " ms after SIGTERM");
            UloopServer.assertCleanExit(s.command(), stopped);
            assertTrue(!stopped.stderr().contains("still open") && !stopped.stderr().contains("did not end"),
                    () -> "the stop waited for idle connections:\n" + stopped.stderr());
            assertTrue(stopped.took().compareTo(Duration.ofSeconds(3)) < 0,
                    () -> "took " + stopped.took().toMillis() + " ms with nothing to flush (grace 6 s); stderr:\n"
                            + stopped.stderr());
            int fins = 0;
            for (SocketChannel c : idle.subList(0, 100)) {
                c.configureBlocking(true);
                c.socket().setSoTimeout(5000);
                if (c.socket().getInputStream().read() == -1) {
                    fins++;                         // a FIN, not a reset
                }
            }
            assertTrue(fins == 100, fins + " of 100 idle connections were closed with a FIN");
        } finally {
            for (SocketChannel c : idle) {
                c.close();
            }
        }
    }

    /**
     * An echo client that sends without ever reading, an idle connection, then SIGTERM: the
     * server must exit 0 within a few seconds (its grace deadline for unsent replies), without
     * a stack trace. The loopback buffers on both sides take some 7 MB before the client's
     * writes stall, so it sends up to 16 MiB (not just 4 MiB) to be sure the server still
     * holds replies it cannot send when the signal comes.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void sigtermWithDataInFlight(Mode mode) throws Exception {
        try (UloopServer s = UloopServer.start("echo", mode, "--tcp");
                SocketChannel idle = SocketChannel.open(s.tcp());
                SocketChannel flood = SocketChannel.open()) {
            assertTrue(s.readyLine().contains(mode.readyTag), s.readyLine());
            assertTrue(idle.isConnected());
            flood.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            flood.connect(s.tcp());
            long sent = sendWithoutReading(flood, 16 << 20);
            UloopServer.Stopped stopped = s.stop(UloopServer.STOP_TIMEOUT);
            System.out.println("[ShutdownTest " + mode + "] sent " + sent + " bytes unread; exit "
                    + stopped.exitStatus() + " " + stopped.took().toMillis() + " ms after SIGTERM");
            UloopServer.assertCleanExit(s.command(), stopped);
            assertTrue(stopped.took().compareTo(GRACE) < 0,
                    () -> "took " + stopped.took().toMillis() + " ms to exit after SIGTERM; stderr:\n" + stopped.stderr());
        }
    }

    /**
     * A client that keeps reading its echo (about 4 MB/s) while SIGTERM comes: what the
     * server already wrote must reach it, ending in an end of stream within the grace period,
     * not in a reset (closing with unread input queued would make the kernel send RST and
     * drop the replies still in the client's receive buffer).
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void sigtermLetsAReadingClientFinishWithAnEndOfStream(Mode mode) throws Exception {
        try (UloopServer s = UloopServer.start("echo", mode, "--tcp");
                Socket client = new Socket(s.tcp().getAddress(), s.tcp().getPort())) {
            client.setSoTimeout(10_000);
            Thread writer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    client.getOutputStream().write(new byte[8 << 20]);
                } catch (IOException e) {
                    // the server stopped reading: expected
                }
            });
            long[] read = {0};
            long start = System.nanoTime();
            boolean signalled = false;
            InputStream in = client.getInputStream();
            byte[] buf = new byte[16 * 1024];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    read[0] += n;
                    Thread.sleep(4);
                    if (!signalled && System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(800)) {
                        s.process().toHandle().destroy();   // SIGTERM; its output is still read
                        signalled = true;
                    }
                }
            } catch (SocketException e) {
                throw new AssertionError("the client reading its echo got " + e.getMessage() + " after "
                        + read[0] + " bytes instead of an end of stream; stderr:\n" + s.stderr(), e);
            }
            assertTrue(signalled, "the echo ended before SIGTERM");
            UloopServer.assertCleanExit(s.command(), s.stop(UloopServer.STOP_TIMEOUT));
            writer.join(2000);
        }
    }

    /** SIGINT (Ctrl-C) stops a server like SIGTERM: exit 0, no stack trace. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"EPOLL", "EPOLL_2_LOOPS", "BLOCKING"})
    void sigintStopsCleanly(Mode mode) throws Exception {
        try (UloopServer s = UloopServer.start("echo", mode)) {
            assumeFalse(ignoresSigint(s.pid()),
                    "the server inherited an ignored SIGINT (started in the background by a shell?); skipping");
            try (SocketChannel idle = SocketChannel.open(s.tcp())) {
                idle.write(ByteBuffer.wrap("hi\n".getBytes(StandardCharsets.US_ASCII)));
                Exec.Result k = Peers.ok(Exec.run(Duration.ofSeconds(10), null, "/bin/sh", "-c", "kill -INT " + s.pid()));
                assertTrue(s.process().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS),
                        () -> "still running " + GRACE.toSeconds() + " s after SIGINT; stderr:\n" + s.stderr() + k.describe());
                UloopServer.assertCleanExit(s.command(), s.stop(UloopServer.STOP_TIMEOUT));
            }
        }
    }

    /**
     * SIGHUP (the terminal closing) stops a server like SIGTERM: the stop line on stderr,
     * exit 0 (not 129, the JVM's default death by SIGHUP), nothing on stdout but the ready line.
     */
    @Test
    void sighupStopsCleanlyWithTheStopLine() throws Exception {
        try (UloopServer s = UloopServer.start("daytime", "--port", "0")) {
            assumeFalse(ignoresSignal(s.pid(), 1),
                    "the server inherited an ignored SIGHUP (started under nohup?); skipping");
            Exec.Result k = Peers.ok(Exec.run(Duration.ofSeconds(10), null, "/bin/sh", "-c", "kill -HUP " + s.pid()));
            assertTrue(s.process().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS),
                    () -> "still running " + GRACE.toSeconds() + " s after SIGHUP; stderr:\n" + s.stderr() + k.describe());
            UloopServer.Stopped stopped = s.stop(UloopServer.STOP_TIMEOUT);
            assertEquals(0, stopped.exitStatus(), () -> "exit status after SIGHUP; stderr:\n" + stopped.stderr());
            UloopServer.assertNoStackTrace(s.command(), stopped.stderr());
            assertTrue(stopped.stderr().lines().anyMatch(l -> l.contains("uloop daytime stopped; tcp: ")),
                    () -> "no stop line on stderr:\n" + stopped.stderr());
        }
    }

    /**
     * SIGUSR1 logs the running server's counters and changes nothing else: the server goes
     * on serving (a plain JVM exits with status 138 on SIGUSR1), and SIGTERM still stops it
     * with status 0.
     */
    @Test
    void sigusr1LogsTheCountersAndTheServerGoesOn() throws Exception {
        try (UloopServer s = UloopServer.start("echo", "--port", "0", "--tcp")) {
            try (Socket c = new Socket()) {
                c.connect(s.tcp(), 5_000);
                c.setSoTimeout(10_000);
                c.getOutputStream().write('x');
                assertEquals('x', c.getInputStream().read(), "echo before SIGUSR1");
                Peers.ok(Exec.run(Duration.ofSeconds(10), null, "/bin/sh", "-c", "kill -USR1 " + s.pid()));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!s.stderr().contains("uloop echo running; tcp: 1 connection") && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(s.stderr().contains("uloop echo running; tcp: 1 connection"),
                        () -> "no status line after SIGUSR1; stderr:\n" + s.stderr());
                s.assertAlive();
                c.getOutputStream().write('y');
                assertEquals('y', c.getInputStream().read(), "echo after SIGUSR1");
            }
            UloopServer.Stopped stopped = s.stop(UloopServer.STOP_TIMEOUT);
            assertEquals(0, stopped.exitStatus(), () -> "exit status; stderr:\n" + stopped.stderr());
            UloopServer.assertNoStackTrace(s.command(), stopped.stderr());
        }
    }

    /** Whether SIGINT is in the process's ignored set (/proc/PID/status, SigIgn). */
    static boolean ignoresSigint(long pid) throws IOException {
        return ignoresSignal(pid, 2);
    }

    /** Whether signal {@code signo} is in the process's ignored set (/proc/PID/status, SigIgn). */
    static boolean ignoresSignal(long pid, int signo) throws IOException {
        Path status = Path.of("/proc/" + pid + "/status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                return (mask & (1L << (signo - 1))) != 0;
            }
        }
        return false;
    }

    /** Writes until {@code max} bytes went out or nothing moved for 500 ms; never reads. */
    static long sendWithoutReading(SocketChannel ch, int max) throws IOException, InterruptedException {
        return sendWithoutReading(ch, max, 500);
    }

    /** Writes until {@code max} bytes went out or nothing moved for {@code stallMillis}; never reads. */
    static long sendWithoutReading(SocketChannel ch, int max, long stallMillis)
            throws IOException, InterruptedException {
        ch.configureBlocking(false);
        ByteBuffer buf = ByteBuffer.wrap(EchoTest.random(64 * 1024, 4));
        long sent = 0;
        long lastProgress = System.nanoTime();
        while (sent < max && System.nanoTime() - lastProgress < TimeUnit.MILLISECONDS.toNanos(stallMillis)) {
            if (!buf.hasRemaining()) {
                buf.clear();
            }
            int n = ch.write(buf);
            if (n > 0) {
                sent += n;
                lastProgress = System.nanoTime();
            } else {
                Thread.sleep(5);
            }
        }
        return sent;
    }
}
