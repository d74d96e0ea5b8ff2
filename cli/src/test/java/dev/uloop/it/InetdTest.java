package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code uloop serve SERVICE --inetd}, started the way inetd starts a service: by socat
 * ({@code TCP-LISTEN:...,fork EXEC:...,nofork}: each connection's socket becomes the
 * program's standard input and output) and by {@code systemd-socket-activate --inetd}, with
 * {@code -a} (a connection each, as {@code Accept=yes}) and with {@code -d} (the bound UDP
 * socket, as inetd's {@code wait}: answered until idle, then the process exits). Nothing but
 * the service's bytes reaches the client, even with {@code -v} and standard error on the
 * socket too. And the refusals, in one line.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InetdTest {
    private static final Duration FIRST = Duration.ofSeconds(60);   // a JVM starts per connection
    private static final String ULOOP = UloopServer.ROOT.resolve("bin/uloop").toString();

    /** socat listening on a free port, running {@code program} (an EXEC or SYSTEM address) per connection. */
    private static Exec.Running socatInetd(int port, String program) throws InterruptedException {
        UloopServer.ensureBuilt();
        Exec.Running r = Exec.start(Peers.socat(), "-d", "-d", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork",
                program + ",nofork");
        awaitStderr(r, "listening on");
        return r;
    }

    private static void awaitStderr(Exec.Running r, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!r.stderrText().contains(text) && r.isAlive() && System.nanoTime() < deadline) {
            r.awaitStdout(1, Duration.ofMillis(20));      // a bounded poll for the line
        }
        assertTrue(r.stderrText().contains(text), () -> "no '" + text + "' on stderr: " + r.stderrText());
    }

    @Test
    void echoServesEachConnectionSocatAccepts() throws Exception {
        int port = Daemons.freePort();
        try (Exec.Running socat = socatInetd(port, "EXEC:" + ULOOP + " serve echo --inetd")) {
            byte[] data = new byte[200_000];
            new Random(13).nextBytes(data);
            for (int i = 0; i < 2; i++) {
                Exec.Result r = Peers.ok(echo(port, data));
                assertArrayEquals(data, r.out(), () -> "connection " + r.describe());
            }
        }
    }

    /**
     * {@code --idle-timeout} ends an inetd session whose client sends nothing (nc -d): the
     * process closes the connection and exits, so a slowloris cannot keep a JVM per
     * connection alive.
     */
    @Test
    void anIdleClientEndsTheSessionAfterTheIdleTimeout() throws Exception {
        int port = Daemons.freePort();
        try (Exec.Running socat = socatInetd(port, "EXEC:" + ULOOP + " serve echo --inetd --idle-timeout 1s");
                Exec.Running nc = Exec.start(Peers.nc(), "-d", "127.0.0.1", Integer.toString(port))) {
            Exec.Result r = nc.finish(FIRST);
            assertTrue(!r.timedOut(), () -> "the idle session was not ended: " + r.describe());
        }
    }

    /** inetd gives a service the socket as stderr too: with -v, its logs must not reach the client. */
    @Test
    void withStderrOnTheSocketNothingButTheAnswerIsSent() throws Exception {
        int port = Daemons.freePort();
        try (Exec.Running socat = socatInetd(port, "SYSTEM:exec " + ULOOP + " serve daytime --inetd -v 2>&1")) {
            Exec.Result r = Peers.ok(Exec.run(FIRST, null, Peers.nc(), "-w", "50", "127.0.0.1", Integer.toString(port)));
            assertTrue(DaytimeTest.SEED.matcher(r.text()).matches(), () -> "not one daytime line: " + r.describe());
        }
    }

    /** systemd-socket-activate --inetd -a: a process per connection, as a socket unit with Accept=yes. */
    @ParameterizedTest
    @EnumSource(value = UloopServer.Mode.class, names = {"EPOLL", "IO_URING_COMPLETION_2_LOOPS"})
    void acceptYesRunsOneProcessPerConnection(UloopServer.Mode mode) throws Exception {
        mode.assumeAvailable();
        String backend = mode.args.get(mode.args.indexOf("--backend") + 1);
        int port = Daemons.freePort();
        List<String> cmd = new ArrayList<>(List.of(SocketActivationTest.activate(), "--inetd", "-a",
                "-l", "127.0.0.1:" + port));
        cmd.addAll(SocketActivationTest.environment());
        cmd.addAll(List.of(ULOOP, "serve", "echo", "--inetd", "--backend", backend));
        UloopServer.ensureBuilt();
        try (Exec.Running activate = Exec.start(cmd.toArray(String[]::new))) {
            awaitStderr(activate, "Listening on");
            for (String text : List.of("one\n", "two\n")) {
                byte[] data = text.getBytes(StandardCharsets.US_ASCII);
                Exec.Result r = Peers.ok(echo(port, data));
                assertArrayEquals(data, r.out(), r::describe);
            }
            awaitStderr(activate, "died with code 0");
        }
    }

    /**
     * inetd's wait: the bound UDP socket on standard input; every request is answered (the
     * one that started the service first), then the process exits 0 once idle. As nobody
     * where the test runs as root.
     */
    @Test
    void aUdpServiceAnswersUntilIdleThenExits() throws Exception {
        int port = Daemons.freePort();
        List<String> cmd = new ArrayList<>(List.of(SocketActivationTest.activate(), "--inetd", "-d",
                "-l", "127.0.0.1:" + port));
        cmd.addAll(SocketActivationTest.environment());
        cmd.addAll(List.of(ULOOP, "serve", "time", "--inetd", "--idle-exit", "1500"));
        if (Daemons.uid() == 0) {
            cmd.addAll(List.of("--user", "nobody"));
        }
        UloopServer.ensureBuilt();
        try (Exec.Running service = Exec.start(cmd.toArray(String[]::new))) {
            awaitStderr(service, "Listening on");
            for (int i = 0; i < 2; i++) {
                Exec.Result r = Peers.ok(Exec.run(i == 0 ? FIRST : Duration.ofSeconds(15), null,
                        Peers.rdate(), "-u", "-p", "-o", Integer.toString(port), "127.0.0.1"));
                Peers.assertNearNow(TimeTest.parseRdate(r.text()), 5, "rdate -u -p");
            }
            Exec.Result done = service.finish(Duration.ofSeconds(30));
            assertFalse(done.timedOut(), "still running long after it was idle: " + done.describe());
            assertEquals(0, done.exit(), done::describe);
            assertEquals("", done.text(), "nothing on stdout: it is the socket");
            UloopServer.assertNoStackTrace(cmd, done.err());
        }
    }

    @Test
    void standardInputThatIsNotASocketIsSaidSo() {
        Exec.Result devNull = runFailing("sh", "-c", "exec \"$0\" serve echo --inetd </dev/null", ULOOP);
        assertEquals(1, devNull.exit(), devNull::describe);
        assertTrue(devNull.err().contains("uloop: --inetd: standard input is not a socket (it is /dev/null); inetd,"
                + " xinetd or a systemd socket with Accept=yes passes the client's socket there"), devNull::describe);
        Exec.Result pipe = runFailing(ULOOP, "serve", "echo", "--inetd");      // Exec's stdin is a pipe
        assertTrue(pipe.err().contains("standard input is not a socket (it is pipe:["), pipe::describe);
        Exec.Result port = runFailing(ULOOP, "serve", "echo", "--inetd", "--port", "7");
        assertEquals(2, port.exit(), port::describe);
        assertTrue(port.err().contains("uloop: --inetd and --port conflict"), port::describe);
        Exec.Result idle = runFailing(ULOOP, "serve", "echo", "--idle-exit", "100");
        assertEquals(2, idle.exit(), idle::describe);
        assertTrue(idle.err().contains("uloop: --idle-exit needs --inetd"), idle::describe);
    }

    /** A listening socket (a socket unit without Accept=yes) and a TCP connection for sntp are refused. */
    @Test
    void socketsThatAreNotInetdsAreRefused() throws Exception {
        int port = Daemons.freePort();
        List<String> cmd = new ArrayList<>(List.of(SocketActivationTest.activate(), "--inetd", "-l", "127.0.0.1:" + port));
        cmd.addAll(SocketActivationTest.environment());
        cmd.addAll(List.of(ULOOP, "serve", "echo", "--inetd"));
        UloopServer.ensureBuilt();
        try (Exec.Running listening = Exec.start(cmd.toArray(String[]::new))) {
            awaitStderr(listening, "Listening on");
            Exec.run(Duration.ofSeconds(10), null, Peers.nc(), "-z", "127.0.0.1", Integer.toString(port));
            Exec.Result r = listening.finish(FIRST);
            assertEquals(1, r.exit(), r::describe);
            assertTrue(r.err().contains("uloop: standard input (tcp, listening on 127.0.0.1:" + port + ") is listening:"
                    + " inetd passes a connection (nowait) or a UDP socket (wait)"), r::describe);
        }
        int port2 = Daemons.freePort();
        try (Exec.Running socat = socatInetd(port2, "EXEC:" + ULOOP + " serve sntp --inetd")) {
            Exec.run(FIRST, null, Peers.nc(), "-w", "50", "127.0.0.1", Integer.toString(port2));
            awaitStderr(socat, "uloop: sntp is served over UDP only, but standard input (tcp 127.0.0.1:" + port2);
        }
    }

    /**
     * socat as an echo client that waits long enough after its end of input for a service
     * that starts a JVM first ({@code -t 50}; the echo closes at once once it has answered).
     */
    private static Exec.Result echo(int port, byte[] data) {
        return Exec.run(FIRST, data, Peers.socat(), "-t", "50", "-", "TCP:127.0.0.1:" + port);
    }

    private static Exec.Result runFailing(String... command) {
        UloopServer.ensureBuilt();
        Exec.Result r = Exec.run(Duration.ofMinutes(1), null, command);
        assertFalse(r.timedOut(), r::describe);
        assertTrue(r.exit() != 0, r::describe);
        assertEquals("", r.text(), "nothing on stdout");
        UloopServer.assertNoStackTrace(List.of(command), r.err());
        return r;
    }
}
