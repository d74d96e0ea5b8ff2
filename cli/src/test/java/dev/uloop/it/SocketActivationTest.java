package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * systemd's socket activation and readiness protocol, with systemd's own
 * {@code systemd-socket-activate}: it binds the ports, waits for the first client, then execs
 * {@code uloop serve} with the sockets as fd 3 and 4 ({@code LISTEN_FDS}); two of them nested
 * pass a TCP and a UDP socket. The first client, which woke the service, and the later ones
 * are answered by real clients (nc, socat, rdate, chronyd); a socat AF_UNIX datagram listener
 * stands in for systemd's notify socket and receives {@code READY=1} and {@code STOPPING=1}.
 * Also the refusals: options that contradict the sockets, sockets that do not fit the
 * service, and a descriptor that is not a socket.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SocketActivationTest {
    private static final Duration FIRST_CLIENT = Duration.ofSeconds(60);   // waits for the JVM's start

    static String activate() {
        return Exec.peer("systemd-socket-activate", "systemd");
    }

    /** {@code -E NAME=VALUE} for what bin/uloop needs: systemd-socket-activate passes a bare environment. */
    static List<String> environment(String... extra) {
        List<String> env = new ArrayList<>();
        for (String name : List.of("JAVA_HOME", "MAVEN_OPTS", "ULOOP_JAVA_OPTS", "ULOOP_JVM_DIR")) {
            String v = System.getenv(name);
            if (v != null) {
                env.addAll(List.of("-E", name + "=" + v));
            }
        }
        for (String e : extra) {
            env.addAll(List.of("-E", e));
        }
        return env;
    }

    /** TCP and UDP on one port: two systemd-socket-activate, the inner one passing the outer one's socket on. */
    static List<String> tcpAndUdp(int port, String... env) {
        List<String> cmd = new ArrayList<>(List.of(activate(), "-l", "127.0.0.1:" + port, activate(), "-d",
                "-l", "127.0.0.1:" + port));
        cmd.addAll(environment(env));
        return cmd;
    }

    static List<String> one(boolean datagram, int port, String... env) {
        List<String> cmd = new ArrayList<>(List.of(activate(), "-l", "127.0.0.1:" + port));
        if (datagram) {
            cmd.add("-d");
        }
        cmd.addAll(environment(env));
        return cmd;
    }

    /** Starts uloop under systemd-socket-activate and waits until that listens (it says so on stderr). */
    static UloopServer launch(List<String> prefix, String... serveArgs) throws IOException {
        UloopServer s = UloopServer.launchUnder(prefix, serveArgs);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!s.stderr().contains("Listening on") && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));   // poll interval
        }
        if (!s.stderr().contains("Listening on")) {
            s.kill();
            throw new AssertionError("systemd-socket-activate does not listen: " + s.stderr());
        }
        return s;
    }

    /** socat as systemd's notify socket: receives datagrams at {@code address} and prints them. */
    static Exec.Running notifyListener(String socatAddress, Path waitFor) throws InterruptedException {
        Exec.Running r = Exec.start(Peers.socat(), "-u", socatAddress, "STDOUT");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waitFor != null && !Files.exists(waitFor) && System.nanoTime() < deadline) {
            r.awaitStdout(1, Duration.ofMillis(20));      // a bounded wait for socat to bind
        }
        return r;
    }

    /** Waits until what the listener received contains {@code text}; returns it all. */
    static String awaitNotified(Exec.Running r, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String got = "";
        while (!got.contains(text) && System.nanoTime() < deadline) {
            got = new String(r.awaitStdout(got.length() + 1, Duration.ofMillis(200)), StandardCharsets.UTF_8);
        }
        String all = got;
        assertTrue(all.contains(text), () -> "the notify socket received no " + text.replace("\n", "\\n")
                + "; it received: " + all.replace("\n", "\\n"));
        return got;
    }

    /**
     * The whole daemon: systemd binds TCP and UDP, the first client wakes uloop (two loops, as
     * nobody when the test runs as root), which tells systemd READY=1 with its ready line as
     * STATUS; SIGTERM gives STOPPING=1 and a clean exit.
     */
    @Test
    void daytimeTakesOverTcpAndUdpAndTellsSystemd(@TempDir Path dir) throws Exception {
        int port = Daemons.freePort();
        Path notify = dir.resolve("notify");
        try (Exec.Running systemd = notifyListener("UNIX-RECV:" + notify + ",perm=0600", notify)) {
            List<String> serve = new ArrayList<>(List.of("daytime", "--loops", "2"));
            if (Daemons.uid() == 0) {
                serve.addAll(List.of("--user", "nobody"));   // the socket is root's (0600): connected before the drop
            }
            UloopServer s = launch(tcpAndUdp(port, "NOTIFY_SOCKET=" + notify),
                    serve.toArray(String[]::new));
            try {
                Exec.Result first = Peers.ok(Exec.run(FIRST_CLIENT, null, Peers.nc(), "-w", "50", "127.0.0.1",
                        Integer.toString(port)));
                assertTrue(DaytimeTest.SEED.matcher(first.text()).matches(), first::describe);
                s.awaitReady();
                assertEquals("uloop daytime ready: tcp 127.0.0.1:" + port + ", udp 127.0.0.1:" + port
                        + " (backend " + backendOf(s) + ", 2 loops, sockets from systemd)", s.readyLine());
                String ready = awaitNotified(systemd, "READY=1\nSTATUS=" + s.readyLine());
                assertFalse(ready.contains("STOPPING"), ready);
                byte[] udp = Peers.socatUdp(s.udp(), "?".getBytes(StandardCharsets.US_ASCII),
                        DaytimeTest.SEED_LENGTH, Duration.ofSeconds(5)).out();
                assertTrue(DaytimeTest.SEED.matcher(new String(udp, StandardCharsets.US_ASCII)).matches(),
                        () -> "UDP daytime: " + new String(udp, StandardCharsets.US_ASCII));
                UloopServer.assertCleanExit(s.command(), s.stop(UloopServer.STOP_TIMEOUT));
                awaitNotified(systemd, "STOPPING=1");
            } finally {
                s.kill();
            }
        }
    }

    /** The time service over TCP only, two loops: loop 0 accepts and hands every other connection on. */
    @Test
    void oneInheritedListenerServesBothLoops() throws Exception {
        int port = Daemons.freePort();
        UloopServer s = launch(one(false, port), "time", "--backend", "epoll", "--loops", "2");
        try {
            for (int i = 0; i < 4; i++) {
                Exec.Result r = Peers.ok(Exec.run(i == 0 ? FIRST_CLIENT : Duration.ofSeconds(15), null,
                        Peers.rdate(), "-p", "-o", Integer.toString(port), "127.0.0.1"));
                Peers.assertNearNow(TimeTest.parseRdate(r.text()), 5, "rdate -p");
            }
            s.awaitReady();
            assertEquals("uloop time ready: tcp 127.0.0.1:" + port + " (backend epoll, 2 loops, sockets from systemd)",
                    s.readyLine());
            UloopServer.Stopped stopped = s.stop(UloopServer.STOP_TIMEOUT);
            UloopServer.assertCleanExit(s.command(), stopped);
            assertTrue(stopped.stderr().contains("tcp: 4 connections (per event loop: 2, 2)"), stopped::stderr);
        } finally {
            s.kill();
        }
    }

    /** SNTP on a UDP socket systemd bound, on io_uring-completion where it runs, notifying an abstract socket. */
    @Test
    void sntpOnAnInheritedUdpSocketIsAcceptedByChrony() throws Exception {
        int port = Daemons.freePort();
        String name = "uloop-notify-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        UloopServer.Mode mode = UloopServer.Mode.IO_URING_COMPLETION_2_LOOPS.available()
                ? UloopServer.Mode.IO_URING_COMPLETION_2_LOOPS : UloopServer.Mode.EPOLL_2_LOOPS;
        try (Exec.Running systemd = notifyListener("ABSTRACT-RECV:" + name, null)) {
            List<String> args = new ArrayList<>(List.of("sntp"));
            args.addAll(mode.args);
            UloopServer s = launch(one(true, port, "NOTIFY_SOCKET=@" + name),
                    args.toArray(String[]::new));
            try {
                // chrony's first request wakes the service; iburst's next ones are answered too.
                Exec.Result r = Peers.ok(Exec.run(Duration.ofSeconds(90), null, SntpTest.chronyd(), "-Q", "-t", "80",
                        "-f", "/dev/null", "server 127.0.0.1 port " + port + " iburst"));
                SntpTest.offset(SntpTest.CHRONY, r, "chronyd -Q");
                s.awaitReady();
                assertTrue(s.readyLine().contains("udp 127.0.0.1:" + port) && s.readyLine().contains(mode.readyTag
                        .replace(")", ", sockets from systemd)")), s::readyLine);
                awaitNotified(systemd, "READY=1");
                UloopServer.assertCleanExit(s.command(), s.stop(UloopServer.STOP_TIMEOUT));
                awaitNotified(systemd, "STOPPING=1");
            } finally {
                s.kill();
            }
        }
    }

    @Test
    void socketsThatDoNotFitTheServiceAreRefused() throws Exception {
        int port = Daemons.freePort();
        Exec.Result sntpOnTcp = runActivated(one(false, port), false, port, "sntp");
        assertEquals(1, sntpOnTcp.exit(), sntpOnTcp::describe);
        assertTrue(sntpOnTcp.err().contains("uloop: sntp is served over UDP only, but systemd passed fd 3 (tcp,"
                + " listening on 127.0.0.1:" + port + "): use ListenDatagram= only"), sntpOnTcp::describe);

        Exec.Result withPort = runActivated(one(false, port), false, port, "echo", "--port", "7007");
        assertEquals(2, withPort.exit(), withPort::describe);
        assertTrue(withPort.err().contains("uloop: --port conflicts with the sockets systemd passed (socket"
                + " activation: LISTEN_FDS=1)"), withPort::describe);

        Exec.Result blocking = runActivated(one(true, port), true, port, "echo", "--blocking");
        assertEquals(2, blocking.exit(), blocking::describe);
        assertTrue(blocking.err().contains("uloop: --blocking cannot serve the sockets systemd passed"),
                blocking::describe);
    }

    /** LISTEN_FDS=1 for this very process, but fd 3 is /dev/null: said in one line. */
    @Test
    void aDescriptorThatIsNotASocketIsSaidSo() {
        UloopServer.ensureBuilt();
        Exec.Result r = Exec.run(Duration.ofMinutes(1), null, "sh", "-c",
                "export LISTEN_PID=$$ LISTEN_FDS=1; exec \"$0\" serve echo 3</dev/null",
                UloopServer.ROOT.resolve("bin/uloop").toString());
        assertEquals(1, r.exit(), r::describe);
        assertTrue(r.err().contains("uloop: fd 3 is not a socket"), r::describe);
        UloopServer.assertNoStackTrace(List.of("serve"), r.err());
    }

    /** Runs uloop under systemd-socket-activate, wakes it with one client, and returns how it exited. */
    private static Exec.Result runActivated(List<String> prefix, boolean datagram, int port, String... serveArgs)
            throws InterruptedException {
        UloopServer.ensureBuilt();
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(UloopServer.ROOT.resolve("bin/uloop").toString());
        cmd.add("serve");
        cmd.addAll(List.of(serveArgs));
        try (Exec.Running r = Exec.start(cmd.toArray(String[]::new))) {
            // Wake it once systemd-socket-activate listens (it says so on stderr).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!r.stderrText().contains("Listening on") && System.nanoTime() < deadline) {
                r.awaitStdout(1, Duration.ofMillis(20));
            }
            if (datagram) {
                Exec.run(Duration.ofSeconds(10), "x".getBytes(StandardCharsets.US_ASCII), Peers.socat(), "-u", "-",
                        "UDP:127.0.0.1:" + port);
            } else {
                Exec.run(Duration.ofSeconds(10), null, Peers.nc(), "-z", "127.0.0.1", Integer.toString(port));
            }
            Exec.Result result = r.finish(Duration.ofSeconds(60));
            assertFalse(result.timedOut(), result::describe);
            assertFalse(result.text().contains(" ready: "), result::describe);
            UloopServer.assertNoStackTrace(cmd, result.err());
            return result;
        }
    }

    private static String backendOf(UloopServer s) {
        String line = s.readyLine();
        int i = line.indexOf("(backend ") + "(backend ".length();
        return line.substring(i, line.indexOf(',', i));
    }
}
