package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.it.Daemons.Account;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code serve --user nobody}: started as root, the server binds its ports (port 0, and a
 * privileged port below 1024), then every thread of the process is {@code nobody}, real,
 * effective, saved and file-system ids alike, with nobody's groups, as
 * {@code /proc/PID/task/TID/status} shows; and the service still answers real clients
 * (nc, socat, rdate, chronyd). Also the refusals: an unknown user, {@code --group} alone, and
 * a process that is not root asking to become someone else.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PrivilegeDropTest {
    private static Account nobody;

    @BeforeAll
    static void rootAndNobody() {
        Daemons.assumeRoot("only root can bind privileged ports and switch users");
        nobody = Daemons.account("nobody");
        assumeTrue(nobody.uid() != 0, "nobody is uid 0 here; skipping");
    }

    @Test
    void daytimeOnPortZeroAnswersAsNobody() throws IOException {
        try (UloopServer s = UloopServer.start("daytime", "--port", "0", "--user", "nobody")) {
            Daemons.assertCredentials(s.pid(), nobody);
            Exec.Result tcp = Peers.ok(Exec.run(Duration.ofSeconds(10), null, Peers.nc(), "-w", "2", "127.0.0.1",
                    Integer.toString(s.tcpPort())));
            assertTrue(DaytimeTest.SEED.matcher(tcp.text()).matches(), tcp::describe);
            byte[] udp = Peers.socatUdp(s.udp(), "x".getBytes(StandardCharsets.US_ASCII), DaytimeTest.SEED_LENGTH,
                    Duration.ofSeconds(5)).out();
            assertTrue(DaytimeTest.SEED.matcher(new String(udp, StandardCharsets.US_ASCII)).matches(),
                    () -> "UDP daytime: " + new String(udp, StandardCharsets.US_ASCII));
            assertTrue(s.stderr().contains("running as nobody (uid " + nobody.uid() + ")"), s::stderr);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The RFC 868 service on a port below 1024, on io_uring-completion with two loops where it runs. */
    @Test
    void timeOnAPrivilegedPortAsNobodyAndItsGroup() throws IOException {
        int port = Daemons.freePrivilegedPort();
        UloopServer.Mode mode = UloopServer.Mode.IO_URING_COMPLETION_2_LOOPS.available()
                ? UloopServer.Mode.IO_URING_COMPLETION_2_LOOPS : UloopServer.Mode.EPOLL_2_LOOPS;
        List<String> args = new java.util.ArrayList<>(List.of("time", "--port", Integer.toString(port),
                "--user", "nobody", "--group", groupName(nobody.gid())));
        args.addAll(mode.args);
        try (UloopServer s = UloopServer.start(args.toArray(String[]::new))) {
            assertEquals(port, s.tcpPort());
            Daemons.assertCredentials(s.pid(), nobody);
            Exec.Result tcp = Peers.ok(Exec.run(Duration.ofSeconds(15), null,
                    Peers.rdate(), "-p", "-o", Integer.toString(port), "127.0.0.1"));
            Peers.assertNearNow(TimeTest.parseRdate(tcp.text()), 5, "rdate -p");
            Exec.Result udp = Peers.ok(Exec.run(Duration.ofSeconds(15), null,
                    Peers.rdate(), "-u", "-p", "-o", Integer.toString(port), "127.0.0.1"));
            Peers.assertNearNow(TimeTest.parseRdate(udp.text()), 5, "rdate -u -p");
        }
    }

    /** SNTP as chronyd runs: a port below 1024 (123 itself is often taken), then nobody; chrony accepts it. */
    @Test
    void sntpOnAPrivilegedPortAsNobody() throws IOException {
        int port = Daemons.freePrivilegedPort();
        try (UloopServer s = UloopServer.start("sntp", "--port", Integer.toString(port), "--user", "nobody")) {
            Daemons.assertCredentials(s.pid(), nobody);
            SntpTest.offset(SntpTest.CHRONY, SntpTest.chrony("127.0.0.1", port), "chronyd -Q");
        }
    }

    /** Blocking mode: the thread of each connection is made after the drop, and is nobody too. */
    @Test
    void blockingEchoAsNobody() throws IOException {
        try (UloopServer s = UloopServer.start("echo", "--port", "0", "--blocking", "--user", "nobody")) {
            byte[] hello = "hello\n".getBytes(StandardCharsets.US_ASCII);
            assertArrayEquals(hello, Peers.ok(Peers.socatTcp(s.tcp(), hello, Duration.ofSeconds(10))).out());
            Daemons.assertCredentials(s.pid(), nobody);
        }
    }

    @Test
    void anUnknownUserIsAUsageErrorAndNothingIsBound() {
        Exec.Result r = ErrorsTest.runFailing("echo", "--port", "0", "--user", "no-such-user-here");
        assertEquals(2, r.exit(), r::describe);
        assertTrue(r.err().contains("uloop: --user/--group: unknown user 'no-such-user-here'"), r::describe);
        Exec.Result g = ErrorsTest.runFailing("echo", "--port", "0", "--user", "nobody", "--group", "no-such-group");
        assertTrue(g.err().contains("unknown group 'no-such-group'"), g::describe);
        Exec.Result alone = ErrorsTest.runFailing("echo", "--port", "0", "--group", "nogroup");
        assertTrue(alone.err().contains("--group needs --user"), alone::describe);
    }

    /** As nobody, becoming root must fail: one line, status 1, no port left served. */
    @Test
    void withoutRootSwitchingUsersFails() {
        String runuser = Exec.peer("runuser", "util-linux");
        String uloop = UloopServer.ROOT.resolve("bin/uloop").toString();
        UloopServer.ensureBuilt();
        Exec.Result canRun = Exec.run(Duration.ofMinutes(1), null, runuser, "-u", "nobody", "--", uloop, "--version");
        assumeTrue(canRun.exit() == 0, () -> "nobody cannot run bin/uloop in this checkout; skipping: "
                + canRun.describe());
        Exec.Result r = Exec.run(Duration.ofMinutes(1), null, runuser, "-u", "nobody", "--",
                uloop, "serve", "echo", "--port", "0", "--user", "root");
        assertEquals(1, r.exit(), r::describe);
        assertTrue(r.err().contains("uloop: cannot switch to user root: that needs root, and this process runs as uid "
                + nobody.uid()), r::describe);
        UloopServer.assertNoStackTrace(List.of("serve"), r.err());
    }

    private static String groupName(int gid) {
        return Peers.ok(Exec.run(Duration.ofSeconds(10), null, "getent", "group", Integer.toString(gid)))
                .text().split(":")[0];
    }
}
