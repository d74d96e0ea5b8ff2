package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.it.UloopServer.Mode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Start-up errors: a second server on a port the first one holds (TCP, and UDP) must fail
 * with one {@code uloop: ... is already in use} line and a non-zero status, and the first
 * one must go on serving. Also when the first one runs two loops, whose SO_REUSEPORT
 * sockets the kernel would let a second such server share.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ErrorsTest {
    /** Holds a TCP port only. */
    private static UloopServer tcpHolder;
    /** Holds a UDP port only. */
    private static UloopServer udpHolder;
    /** Holds a port for TCP and UDP with two loops (SO_REUSEPORT sockets). */
    private static UloopServer loopsHolder;

    @BeforeAll
    @Timeout(value = 6, unit = TimeUnit.MINUTES)   // bin/uloop may have to build first
    static void startServers() throws IOException {
        UloopServer t = UloopServer.launch("echo", "--port", "0", "--tcp");
        UloopServer u = UloopServer.launch("echo", "--port", "0", "--udp");
        UloopServer l = UloopServer.launch("echo", "--port", "0", "--loops", "2");
        try {
            tcpHolder = t.awaitReady();
            udpHolder = u.awaitReady();
            loopsHolder = l.awaitReady();
        } catch (Throwable e) {
            t.kill();
            u.kill();
            l.kill();
            throw e;
        }
        assertFalse(tcpHolder.readyLine().contains("udp "), tcpHolder.readyLine());
        assertFalse(udpHolder.readyLine().contains("tcp "), udpHolder.readyLine());
    }

    @AfterAll
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    static void stopServers() {
        UloopServer.closeAll(Stream.of(tcpHolder, udpHolder, loopsHolder).filter(Objects::nonNull).toList());
    }

    /** Runs {@code bin/uloop serve <args>} expecting it to fail; returns its result. */
    static Exec.Result runFailing(String... serveArgs) {
        UloopServer.ensureBuilt();
        List<String> cmd = new ArrayList<>(List.of(UloopServer.ROOT.resolve("bin/uloop").toString(), "serve"));
        cmd.addAll(List.of(serveArgs));
        // Minutes, in case bin/uloop has to rebuild first.
        Exec.Result r = Exec.run(Duration.ofMinutes(5), null, cmd);
        assertFalse(r.timedOut(), () -> "expected a quick failure: " + r.describe());
        assertNotEquals(0, r.exit(), () -> "expected a non-zero exit: " + r.describe());
        UloopServer.assertNoStackTrace(cmd, r.err());
        assertFalse(r.text().contains(" ready: "), () -> "it says it is ready although it failed: " + r.describe());
        return r;
    }

    /** The stderr lines that are not bin/uloop's own build notes. */
    static List<String> errorLines(Exec.Result r) {
        return r.err().lines().filter(l -> !l.startsWith("uloop: building") && !l.startsWith("uloop: rebuilding")).toList();
    }

    static void assertOneInUseLine(Exec.Result r, int port) {
        List<String> lines = errorLines(r);
        assertEquals(1, lines.size(), () -> "expected one error line: " + r.describe());
        String line = lines.get(0);
        assertTrue(line.startsWith("uloop: "), () -> "error line: " + line);
        assertTrue(line.endsWith("is already in use"), () -> "error line: " + line);
        assertTrue(line.contains(":" + port), () -> "the error line should name the port " + port + ": " + line);
    }

    private static void assertHoldersServe() throws Exception {
        tcpHolder.assertAlive();
        udpHolder.assertAlive();
        byte[] data = "first server still serves\n".getBytes(StandardCharsets.US_ASCII);
        Exec.Result t = Peers.ok(Peers.socatTcp(tcpHolder.tcp(), data, Duration.ofSeconds(10)));
        assertArrayEquals(data, t.out(), t::describe);
        Exec.Result u = Peers.socatUdp(udpHolder.udp(), data, data.length, Duration.ofSeconds(3));
        assertArrayEquals(data, u.out(), u::describe);
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"EPOLL", "EPOLL_2_LOOPS", "BLOCKING", "VIRTUAL"})
    void aBusyTcpPortFailsWithOneLine(Mode mode) throws Exception {
        int port = tcpHolder.tcpPort();
        Exec.Result r = runFailing(replacePort(UloopServer.args("echo", mode, "--tcp"), port));
        assertOneInUseLine(r, port);
        assertHoldersServe();
    }

    /** Both protocols asked, the UDP port is taken (the TCP one is free): fails as a whole. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"EPOLL", "EPOLL_2_LOOPS", "BLOCKING"})
    void aBusyUdpPortFailsWithOneLine(Mode mode) throws Exception {
        int port = udpHolder.udpPort();
        Exec.Result r = runFailing(replacePort(UloopServer.args("echo", mode), port));
        assertOneInUseLine(r, port);
        assertHoldersServe();
    }

    /**
     * A port held by a server with two loops: its sockets set SO_REUSEPORT, and a second
     * server whose sockets set it too would share the port silently if it did not check.
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"EPOLL", "EPOLL_2_LOOPS"})
    void aPortHeldByAServerWithLoopsIsBusyToo(Mode mode) throws Exception {
        int tcpPort = loopsHolder.tcpPort();
        assertOneInUseLine(runFailing(replacePort(UloopServer.args("echo", mode, "--tcp"), tcpPort)), tcpPort);
        int udpPort = loopsHolder.udpPort();
        assertOneInUseLine(runFailing(replacePort(UloopServer.args("echo", mode, "--udp"), udpPort)), udpPort);
        loopsHolder.assertAlive();
        byte[] data = "the loops still serve\n".getBytes(StandardCharsets.US_ASCII);
        Exec.Result t = Peers.ok(Peers.socatTcp(loopsHolder.tcp(), data, Duration.ofSeconds(10)));
        assertArrayEquals(data, t.out(), t::describe);
        Exec.Result u = Peers.socatUdp(loopsHolder.udp(), data, data.length, Duration.ofSeconds(3));
        assertArrayEquals(data, u.out(), u::describe);
    }

    /** An address this machine does not have: one {@code uloop: } line, no stack trace. */
    @Test
    void anAddressNotOnThisMachineFailsWithOneLine() {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never a local address.
        Exec.Result r = runFailing("echo", "--host", "192.0.2.1", "--port", "0", "--tcp");
        List<String> lines = errorLines(r);
        assertEquals(1, lines.size(), r::describe);
        assertTrue(lines.get(0).startsWith("uloop: "), r::describe);
    }

    private static String[] replacePort(String[] args, int port) {
        String[] a = args.clone();
        for (int i = 0; i < a.length - 1; i++) {
            if (a[i].equals("--port")) {
                a[i + 1] = Integer.toString(port);
            }
        }
        return a;
    }
}
