package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.it.UloopServer.Mode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code uloop serve ... --unix PATH}: the services on Unix domain sockets, driven by socat
 * and OpenBSD nc; the socket files' mode, their removal on SIGTERM, a stale file replaced, a
 * busy one refused, bad paths.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UnixTest {
    @TempDir
    Path dir;

    @BeforeAll
    @Timeout(value = 6, unit = TimeUnit.MINUTES)   // bin/uloop may have to build first
    static void build() {
        UloopServer.ensureBuilt();
    }

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"EPOLL", "POLL", "SELECT", "IO_URING_2_LOOPS",
        "IO_URING_COMPLETION_2_LOOPS"})
    void echoOverSocatAndNcOnStreamAndDatagramSocketsThenTheFilesAreRemoved(Mode mode) throws Exception {
        mode.assumeAvailable();
        String socat = Peers.socat();
        String nc = Peers.nc();
        Path stream = dir.resolve("echo.sock");
        Path dgram = dir.resolve("echo.dgram");
        List<String> args = new ArrayList<>(List.of("echo", "--unix", stream.toString(),
                "--unix-datagram", dgram.toString()));
        args.addAll(mode.args);
        UloopServer s = UloopServer.start(args.toArray(String[]::new));
        try {
            assertTrue(s.readyLine().startsWith("uloop echo ready: unix " + stream + ", unix-datagram " + dgram
                    + " " + mode.readyTag), s.readyLine());
            assertEquals(stream.toString(), s.unix());
            assertEquals(PosixFilePermissions.fromString("rw-rw----"), Files.getPosixFilePermissions(stream),
                    "the default mode: 0660");
            byte[] data = EchoTest.random(1 << 20, 13);
            Exec.Result big = Peers.ok(Exec.run(Duration.ofSeconds(30), data, socat, "-t", "2", "-",
                    "UNIX-CONNECT:" + stream));
            assertArrayEquals(data, big.out(), "1 MiB echoed over socat");
            Exec.Result text = Peers.ok(Exec.run(Duration.ofSeconds(15), "hello, nc\n".getBytes(StandardCharsets.US_ASCII),
                    nc, "-N", "-U", stream.toString()));
            assertEquals("hello, nc\n", text.text(), text::describe);
            Path client = dir.resolve("client.dgram");
            Exec.Result d = Peers.ok(Exec.run(Duration.ofSeconds(15), "datagram".getBytes(StandardCharsets.US_ASCII),
                    socat, "-T", "2", "-t", "1", "-", "UNIX-SENDTO:" + dgram + ",bind=" + client));
            assertEquals("datagram", d.text(), d::describe);
            s.assertAlive();
        } finally {
            UloopServer.Stopped st = s.stop(UloopServer.STOP_TIMEOUT);
            UloopServer.assertCleanExit(s.command(), st);
            assertTrue(st.stderr().contains("stopped; unix: 2 connections; unix-datagram: 1 answered"), st.stderr());
        }
        assertFalse(Files.exists(stream, NOFOLLOW), "the stream socket file is removed on SIGTERM");
        assertFalse(Files.exists(dgram, NOFOLLOW), "the datagram socket file is removed on SIGTERM");
    }

    @Test
    void daytimeOnAnAbstractNameBesideTcpAndTimeOverNc() throws Exception {
        String socat = Peers.socat();
        String name = "uloop-it-daytime-" + ProcessHandle.current().pid();
        UloopServer s = UloopServer.start("daytime", "--unix", "@" + name, "--tcp", "--port", "0");
        try {
            assertTrue(Pattern.compile("^uloop daytime ready: tcp 127\\.0\\.0\\.1:\\d+, unix @" + name + " \\(")
                    .matcher(s.readyLine()).find(), s.readyLine());
            Exec.Result r = Peers.ok(Exec.run(Duration.ofSeconds(15), new byte[0], socat, "-t", "2", "-",
                    "ABSTRACT-CONNECT:" + name));
            assertTrue(r.text().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}\r\n"), r::describe);
            Exec.Result tcp = Peers.ok(Peers.socatTcp(s.tcp(), new byte[0], Duration.ofSeconds(15)));
            assertTrue(tcp.text().endsWith("\r\n"), tcp::describe);
            Exec.Result client = uloop("client", "daytime", "--unix", "@" + name);
            assertEquals(0, client.exit(), client::describe);
            assertTrue(client.text().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}\n"),
                    client::describe);
        } finally {
            UloopServer.assertCleanExit(s.command(), s.stop(UloopServer.STOP_TIMEOUT));
        }
        Path sock = dir.resolve("time.sock");
        UloopServer t = UloopServer.start("time", "--unix", sock.toString(), "--unix-mode", "0600");
        try {
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(sock));
            Exec.Result r = Peers.ok(Exec.run(Duration.ofSeconds(15), new byte[0], Peers.nc(), "-N", "-U",
                    sock.toString()));
            assertEquals(4, r.out().length, r::describe);
            long seconds = Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(r.out()).getInt());
            long now = (System.currentTimeMillis() / 1000 + 2_208_988_800L) & 0xFFFFFFFFL;
            assertTrue(Math.abs(now - seconds) < 5, () -> "RFC 868 time " + seconds + ", expected about " + now);
        } finally {
            UloopServer.assertCleanExit(t.command(), t.stop(UloopServer.STOP_TIMEOUT));
        }
        assertFalse(Files.exists(sock, NOFOLLOW));
    }

    @Test
    void aBusyPathIsRefusedAndAStaleFileIsReplaced() throws Exception {
        String socat = Peers.socat();
        Path sock = dir.resolve("busy.sock");
        UloopServer first = UloopServer.start("echo", "--unix", sock.toString());
        try {
            Exec.Result busy = uloop("serve", "echo", "--unix", sock.toString());
            assertEquals(1, busy.exit(), busy::describe);
            assertEquals(List.of("uloop: " + sock + " is already in use (a server is bound to it)"),
                    ErrorsTest.errorLines(busy), busy::describe);
            first.assertAlive();
            assertTrue(Files.exists(sock, NOFOLLOW), "the busy server's file is left alone");
        } finally {
            first.kill();                  // SIGKILL: no stop, the file stays behind
        }
        assertTrue(Files.exists(sock, NOFOLLOW), "a killed server leaves its socket file");
        UloopServer second = UloopServer.start("echo", "--unix", sock.toString());
        try {
            Exec.Result r = Peers.ok(Exec.run(Duration.ofSeconds(15), "again".getBytes(StandardCharsets.US_ASCII),
                    socat, "-t", "2", "-", "UNIX-CONNECT:" + sock));
            assertEquals("again", r.text(), r::describe);
        } finally {
            UloopServer.assertCleanExit(second.command(), second.stop(UloopServer.STOP_TIMEOUT));
        }
        assertFalse(Files.exists(sock, NOFOLLOW));
    }

    /**
     * systemd binds the Unix socket (systemd-socket-activate -l PATH, as ListenStream=PATH)
     * and the first client wakes uloop, which serves it; the file is systemd's and stays.
     */
    @Test
    void echoTakesOverAUnixSocketSystemdBound() throws Exception {
        Path sock = dir.resolve("activated.sock");
        List<String> prefix = new ArrayList<>(List.of(SocketActivationTest.activate(), "-l", sock.toString()));
        prefix.addAll(SocketActivationTest.environment());
        UloopServer s = SocketActivationTest.launch(prefix, "echo", "--backend", "poll");
        try {
            Exec.Result first = Peers.ok(Exec.run(Duration.ofSeconds(60), "wake up\n".getBytes(StandardCharsets.US_ASCII),
                    Peers.nc(), "-N", "-U", sock.toString()));
            assertEquals("wake up\n", first.text(), first::describe);
            s.awaitReady();
            assertEquals("uloop echo ready: unix " + sock + " (backend poll, sockets from systemd)", s.readyLine());
            Exec.Result again = Peers.ok(Exec.run(Duration.ofSeconds(15), "again".getBytes(StandardCharsets.US_ASCII),
                    Peers.socat(), "-t", "2", "-", "UNIX-CONNECT:" + sock));
            assertEquals("again", again.text(), again::describe);
            UloopServer.Stopped st = s.stop(UloopServer.STOP_TIMEOUT);
            UloopServer.assertCleanExit(s.command(), st);
            assertTrue(st.stderr().contains("stopped; unix: 2 connections"), st.stderr());
        } finally {
            s.kill();
        }
        assertTrue(Files.exists(sock, NOFOLLOW), "the socket file is systemd's: uloop leaves it");
    }

    @Test
    void badPathsAndOptionsAreOneLineErrors() throws IOException {
        Path missing = dir.resolve("no/such/dir/x.sock");
        Exec.Result noDir = uloop("serve", "echo", "--unix", missing.toString());
        assertEquals(1, noDir.exit(), noDir::describe);
        assertEquals(List.of("uloop: cannot create socket " + missing + ": directory " + missing.getParent()
                + " does not exist"), ErrorsTest.errorLines(noDir), noDir::describe);

        Path plain = Files.writeString(dir.resolve("plain"), "x");
        Exec.Result notSocket = uloop("serve", "daytime", "--unix", plain.toString());
        assertEquals(1, notSocket.exit(), notSocket::describe);
        assertEquals(List.of("uloop: " + plain + " exists and is not a socket; remove it or choose another path"),
                ErrorsTest.errorLines(notSocket), notSocket::describe);

        String tooLong = "/tmp/" + "x".repeat(103);
        Exec.Result longPath = uloop("serve", "echo", "--unix", tooLong);
        assertEquals(2, longPath.exit(), longPath::describe);
        assertEquals(List.of("uloop: --unix takes a path of 1 to 107 bytes (sun_path holds 108 with its NUL), not 108: "
                + tooLong, "Try 'uloop serve --help'."), ErrorsTest.errorLines(longPath), longPath::describe);

        Exec.Result refused = uloop("client", "echo", "--unix", dir.resolve("nobody.sock").toString());
        assertEquals(1, refused.exit(), refused::describe);
        assertEquals(List.of("uloop: connect(" + dir.resolve("nobody.sock") + "): ENOENT (No such file or directory)"
                + " (is the server running?)"), ErrorsTest.errorLines(refused), refused::describe);

        Exec.Result mode = uloop("serve", "echo", "--unix", dir.resolve("m.sock").toString(), "--unix-mode", "0999");
        assertEquals(2, mode.exit(), mode::describe);
        Exec.Result sntp = uloop("serve", "sntp", "--unix", dir.resolve("s.sock").toString());
        assertEquals(2, sntp.exit(), sntp::describe);
        assertEquals("uloop: --unix does not apply to sntp, which is served over UDP only",
                ErrorsTest.errorLines(sntp).get(0), sntp::describe);
    }

    private static Exec.Result uloop(String... args) {
        List<String> cmd = new ArrayList<>(List.of(UloopServer.ROOT.resolve("bin/uloop").toString()));
        cmd.addAll(List.of(args));
        Exec.Result r = Exec.run(Duration.ofSeconds(45), null, cmd);
        assertFalse(r.timedOut(), r::describe);
        return r;
    }
}
