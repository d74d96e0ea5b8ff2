package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.it.UloopServer.Mode;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code uloop serve sntp} in every mode, judged by the SNTP clients everyone uses:
 * chrony ({@code chronyd -Q}: measure once, never set the clock), {@code rdate -n -p}
 * (print only) and, on port 123, ntpsec's {@code ntpdig} and {@code ntpdate -q}. Each
 * must accept the server and measure an offset under 10 ms from the local clock.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SntpTest {
    /** The largest offset from the local clock a real client may report: same machine, same clock. */
    static final double MAX_OFFSET = 0.010;
    static final Pattern CHRONY = Pattern.compile("System clock wrong by (-?\\d+\\.\\d+) seconds");
    private static final Pattern RDATE = Pattern.compile("adjust local clock by (-?\\d+\\.\\d+) seconds");
    /** ntpdig and ntpdate: {@code 2026-11-23 15:30:14.43199 (+0000) -0.000044 +/- 0.000075 127.0.0.1 s10 no-leap}. */
    private static final Pattern NTPDIG = Pattern.compile("\\(\\+0000\\) ([+-]\\d+\\.\\d+) \\+/- \\S+ (\\S+) s10 no-leap");

    private static ServerSet servers;

    @BeforeAll
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    static void startServers() throws IOException {
        servers = ServerSet.start("sntp", List.of(Mode.values()));
    }

    @AfterAll
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    static void stopServers() {
        servers.close();
    }

    static String chronyd() {
        return Exec.peer("chronyd", "chrony");
    }

    /** The offset a client printed, checked against {@link #MAX_OFFSET}. */
    static double offset(Pattern p, Exec.Result r, String what) {
        String all = r.text() + r.err();
        Matcher m = p.matcher(all);
        assertTrue(m.find(), () -> what + " printed no offset: " + r.describe());
        double offset = Double.parseDouble(m.group(1));
        assertTrue(Math.abs(offset) < MAX_OFFSET, () -> what + " measured an offset of " + offset + " s: " + all);
        return offset;
    }

    /**
     * {@code chronyd -Q -t 20 "server HOST port P iburst ..."}: chrony's client asks until it
     * has a measurement it trusts, prints it, and exits without touching the clock.
     */
    static Exec.Result chrony(String host, int port, String... options) {
        String server = "server " + host + " port " + port + " iburst " + String.join(" ", options);
        return Peers.ok(Exec.run(Duration.ofSeconds(30), null, chronyd(), "-Q", "-t", "20", "-f", "/dev/null",
                server.strip()));
    }

    /** Exactly the README's check: chrony with its default polling, against the epoll server, sub-millisecond. */
    @Test
    void chronyAcceptsTheServerWithItsDefaults() {
        UloopServer s = servers.get(Mode.EPOLL);
        double offset = offset(CHRONY, chrony("127.0.0.1", s.udpPort()), "chronyd -Q");
        assertTrue(Math.abs(offset) < 0.001, "chrony measured " + offset + " s; a server on the same host is off by well under 1 ms");
    }

    /** Every mode, with chrony polling fast (minpoll -6: 1/64 s) to keep the run short. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void chronyAcceptsEveryMode(Mode mode) {
        UloopServer s = servers.get(mode);
        offset(CHRONY, chrony("127.0.0.1", s.udpPort(), "minpoll", "-6", "maxpoll", "-6"), "chronyd -Q (" + mode + ")");
        s.assertAlive();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void rdateInSntpModeAcceptsEveryMode(Mode mode) {
        UloopServer s = servers.get(mode);
        Exec.Result r = Peers.ok(Exec.run(Duration.ofSeconds(15), null,
                Peers.rdate(), "-n", "-p", "-v", "-o", Integer.toString(s.udpPort()), "127.0.0.1"));
        offset(RDATE, r, "rdate -n");
        Peers.assertNearNow(TimeTest.parseRdate(r.text()), 5, "rdate -n -p");
    }

    @Test
    void ipv6ClientsAreServedToo() throws IOException {
        assumeTrue(Ipv6Test.ipv6Loopback(), "no IPv6 loopback here; skipping");
        try (UloopServer s = UloopServer.start("sntp", "--port", "0", "--host", "::1")) {
            assertTrue(s.readyLine().contains("udp [::1]:"), s.readyLine());
            offset(CHRONY, chrony("::1", s.udpPort(), "minpoll", "-6", "maxpoll", "-6"), "chronyd -Q over IPv6");
            offset(RDATE, Peers.ok(Exec.run(Duration.ofSeconds(15), null,
                    Peers.rdate(), "-6", "-n", "-p", "-v", "-o", Integer.toString(s.udpPort()), "::1")), "rdate -6 -n");
        }
    }

    /** ntpdig and ntpdate take no port: they need the server on 123, so root and a free port 123. */
    @Test
    void ntpdigAndNtpdateAcceptTheServerOnPort123() throws IOException {
        assumeTrue(port123Free(), "cannot bind UDP 127.0.0.1:123 (not root, or an NTP server runs); skipping");
        String ntpdig = Exec.peer("ntpdig", "ntpsec-ntpdig");
        try (UloopServer s = UloopServer.start("sntp")) {
            assertTrue(s.readyLine().contains("udp 127.0.0.1:123 "), s.readyLine());
            Exec.Result dig = Peers.ok(Exec.run(Duration.ofSeconds(20), null, ntpdig, "-t", "5", "127.0.0.1"));
            offset(NTPDIG, dig, "ntpdig");
            Exec.Result json = Peers.ok(Exec.run(Duration.ofSeconds(20), null, ntpdig, "-j", "-t", "5", "127.0.0.1"));
            assertTrue(json.text().contains("\"stratum\":10") && json.text().contains("\"leap\":\"no-leap\""),
                    json::describe);
            offset(Pattern.compile("\"offset\":(-?\\d+\\.\\d+)"), json, "ntpdig -j");
            String ntpdate = Exec.peer("ntpdate", "ntpsec-ntpdate");
            offset(NTPDIG, Peers.ok(Exec.run(Duration.ofSeconds(20), null, ntpdate, "-q", "127.0.0.1")), "ntpdate -q");
        }
    }

    private static boolean port123Free() {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 123))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
