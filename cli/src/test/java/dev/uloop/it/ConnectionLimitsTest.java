package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.uloop.it.UloopServer.Mode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code --max-connections}, {@code --max-per-source} and {@code --idle-timeout} on a real
 * server, in every mode (each backend, two loops sharing one limit, blocking on platform and
 * virtual threads), with JDK sockets and socat as clients bound to different loopback
 * addresses.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConnectionLimitsTest {
    private static final InetAddress FIRST = address("127.0.0.1");
    private static final InetAddress SECOND = address("127.0.0.2");

    private final List<Socket> clients = new ArrayList<>();

    @AfterEach
    void closeClients() throws IOException {
        for (Socket s : clients) {
            s.close();
        }
    }

    private static InetAddress address(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private Socket client(InetAddress from, InetSocketAddress to) throws IOException {
        Socket s = new Socket();
        clients.add(s);
        s.bind(new InetSocketAddress(from, 0));
        s.connect(to, 5_000);
        s.setSoTimeout(5_000);
        return s;
    }

    private static void assertServed(Socket s) throws IOException {
        byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
        s.getOutputStream().write(ping);
        assertArrayEquals(ping, s.getInputStream().readNBytes(ping.length), "echoed");
    }

    /** Closed by the server without an echo: EOF or a reset, within 5 s. */
    private static void assertRefused(Socket s) throws IOException {
        try {
            s.getOutputStream().write('x');
            assertEquals(-1, s.getInputStream().read(), "closed, not echoed");
        } catch (SocketTimeoutException e) {
            fail("a connection over the limit was still open after 5 s");
        } catch (SocketException e) {
            // reset: closed with our byte unread
        }
    }

    private static void await(BooleanSupplier done, Duration limit, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + limit.toMillis() + " ms: " + what);
            }
            Thread.sleep(20);
        }
    }

    /**
     * Three connections at most, two per source: the connection over either limit is closed
     * at once while the admitted ones go on being served; the refusals are counted in the
     * SIGUSR1 status line and the stop line, and logged once per limit (the throttle).
     * A slot comes back when its connection closes.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void overTheLimitsAConnectionIsClosedAtOnceAndCounted(Mode mode) throws Exception {
        mode.assumeAvailable();
        try (UloopServer s = UloopServer.start("echo", mode, "--tcp", "--max-connections", "3",
                "--max-per-source", "2")) {
            InetSocketAddress to = s.tcp();
            Socket a1 = client(FIRST, to);
            assertServed(a1);
            assertServed(client(FIRST, to));
            assertRefused(client(FIRST, to));                 // a third from 127.0.0.1: per source
            Socket b1 = client(SECOND, to);
            assertServed(b1);
            assertRefused(client(SECOND, to));                // a fourth in all: the total
            Exec.Result socat = Exec.run(Duration.ofSeconds(10), "hi\n".getBytes(StandardCharsets.US_ASCII),
                    Peers.socat(), "-t", "2", "-", "TCP:" + Peers.host(to) + ":" + to.getPort() + ",bind=127.0.0.3");
            assertFalse(socat.timedOut(), socat::describe);
            assertEquals("", socat.text(), () -> "socat over the limit got an echo: " + socat.describe());
            assertServed(a1);
            assertServed(b1);

            String counts = ", 3 refused (2 over --max-connections, 1 over --max-per-source)";
            Peers.ok(Exec.run(Duration.ofSeconds(10), null, "/bin/sh", "-c", "kill -USR1 " + s.pid()));
            await(() -> s.stderr().lines().anyMatch(l -> l.contains("uloop echo running; tcp: 3 connections")
                    && l.contains(counts)), Duration.ofSeconds(10), "the status line with the refusals");

            a1.close();
            await(() -> {
                try {
                    Socket again = client(FIRST, to);
                    assertServed(again);
                    return true;
                } catch (IOException | AssertionError e) {
                    return false;                             // not released yet: refused
                }
            }, Duration.ofSeconds(10), "a new connection served once one closed");

            UloopServer.Stopped stopped = s.stop(UloopServer.STOP_TIMEOUT);
            UloopServer.assertCleanExit(s.command(), stopped);
            assertTrue(stopped.stderr().lines().anyMatch(l -> l.contains("uloop echo stopped; tcp: ")
                    && l.contains(" refused (")), () -> "no refusals in the stop line:\n" + stopped.stderr());
            // Two refusals over the total, one over the per-source limit: one line for each limit.
            assertEquals(1, stopped.stderr().lines().filter(l -> l.contains("refusing a connection: the limit of 3"
                    + " open connections is reached")).count(), () -> "throttled:\n" + stopped.stderr());
            assertEquals(1, stopped.stderr().lines().filter(l -> l.contains("refusing a connection from 127.0.0.1:"
                    + " the limit of 2 open connections per address")).count(), () -> "throttled:\n" + stopped.stderr());
        }
    }

    /**
     * {@code --idle-timeout 1s}: a connection that sends nothing is closed after about a
     * second, while one that sends a byte every 200 ms stays open for ten times that; the
     * stop line counts the idle close.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void anIdleConnectionIsClosedAndAnActiveOneStays(Mode mode) throws Exception {
        mode.assumeAvailable();
        try (UloopServer s = UloopServer.start("echo", mode, "--tcp", "--idle-timeout", "1s")) {
            long start = System.nanoTime();
            Socket idle = client(FIRST, s.tcp());
            Socket busy = client(FIRST, s.tcp());
            for (int i = 0; i < 10; i++) {
                assertServed(busy);
                Thread.sleep(200);           // the client's pace, not a wait for the server
            }
            idle.setSoTimeout(10_000);
            assertEquals(-1, idle.getInputStream().read(), "the idle connection was closed with a FIN");
            long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(after >= 1000, "closed after " + after + " ms");
            assertServed(busy);
            busy.close();
            UloopServer.Stopped stopped = s.stop(UloopServer.STOP_TIMEOUT);
            UloopServer.assertCleanExit(s.command(), stopped);
            assertTrue(stopped.stderr().lines().anyMatch(l -> l.contains("uloop echo stopped; tcp: 2 connections")
                    && l.contains(", 1 closed idle")), () -> "no idle close in the stop line:\n" + stopped.stderr());
        }
    }

    /**
     * A slowloris: nc connects and sends nothing ({@code -d}: it does not read its input);
     * without {@code --idle-timeout} it would hold its connection forever, with it nc is
     * disconnected after the timeout.
     */
    @Test
    void ncSendingNothingIsDisconnectedByTheIdleTimeout() throws Exception {
        try (UloopServer s = UloopServer.start("echo", "--port", "0", "--tcp", "--idle-timeout", "500ms");
                Exec.Running nc = Exec.start(Peers.nc(), "-d", Peers.host(s.tcp()), "" + s.tcp().getPort())) {
            Exec.Result r = nc.finish(Duration.ofSeconds(15));      // only the server can end it
            assertFalse(r.timedOut(), () -> "nc was not disconnected: " + r.describe());
            assertTrue(r.elapsed().toMillis() >= 500, r::describe);
        }
    }

    /**
     * Blocking mode starts no thread for a refused connection: 40 connections over a limit of
     * 2 leave the server's thread count where it was (without the limit, each would get one).
     */
    @Test
    void blockingServersStartNoThreadForARefusedConnection() throws Exception {
        try (UloopServer s = UloopServer.start("echo", Mode.BLOCKING, "--tcp", "--max-connections", "2")) {
            assertServed(client(FIRST, s.tcp()));
            assertServed(client(FIRST, s.tcp()));
            int before = threads(s.pid());
            for (int i = 0; i < 40; i++) {
                assertRefused(client(FIRST, s.tcp()));
            }
            int after = threads(s.pid());
            assertTrue(after - before < 10, "threads " + before + " -> " + after + " for 40 refused connections");
            Peers.ok(Exec.run(Duration.ofSeconds(10), null, "/bin/sh", "-c", "kill -USR1 " + s.pid()));
            await(() -> s.stderr().contains("tcp: 2 connections, 40 refused (40 over --max-connections"),
                    Duration.ofSeconds(10), "the status line with 40 refusals");
        }
    }

    /** The Threads: line of /proc/PID/status. */
    private static int threads(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring(8).trim());
            }
        }
        throw new AssertionError("no Threads: line for " + pid);
    }
}
