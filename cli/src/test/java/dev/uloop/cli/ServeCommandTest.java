package dev.uloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code uloop serve} errors, in-process: bad usage exits with 2 and one line plus a hint,
 * a failure to bind exits with 1 and one line. (Running servers are in ServeProcessTest.)
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServeCommandTest {

    /** Bad usage of {@code uloop serve}: exit 2, nothing on stdout, the message and the hint on stderr. */
    static void assertUsage(String message, String... args) {
        MainTest.Result r = MainTest.run(args);
        assertEquals(2, r.status(), r.err());
        assertEquals("", r.out());
        assertEquals(List.of("uloop: " + message, "Try 'uloop serve --help'."), r.errLines());
    }

    @Test
    void anUnknownServiceIsBadUsage() {
        assertUsage("unknown service 'chargen'; choose echo, daytime, time or sntp", "serve", "chargen");
    }

    @Test
    void aMissingServiceIsBadUsage() {
        MainTest.Result r = MainTest.run("serve");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.errLines().get(0).startsWith("uloop: missing required parameter: 'SERVICE'"), r.err());
    }

    @Test
    void badPortsAreBadUsage() {
        assertUsage("port 65536 is out of range; use 1-65535 (0 picks a free one)", "serve", "echo", "--port", "65536");
        assertUsage("port -1 is out of range; use 1-65535 (0 picks a free one)", "serve", "echo", "--port", "-1");
        MainTest.Result r = MainTest.run("serve", "echo", "--port", "seven");
        assertEquals(2, r.status(), r.err());
    }

    @Test
    void sntpOptionsAreChecked() {
        assertUsage("sntp is served over UDP only; drop --tcp", "serve", "sntp", "--tcp");
        assertUsage("stratum 0 is out of range; a server has 1 to 15", "serve", "sntp", "--stratum", "0");
        assertUsage("stratum 16 is out of range; a server has 1 to 15", "serve", "sntp", "--stratum", "16");
        assertUsage("reference ID 'G-P-S': give an IPv4 address (127.127.1.1) or 1 to 4 letters and digits (GPS, LOCL)",
                "serve", "sntp", "--refid", "G-P-S");
        assertUsage("--kod needs --rate-limit N: without a limit no source is ever over it", "serve", "sntp", "--kod");
        assertUsage("--stratum applies to sntp only, not to time", "serve", "time", "--stratum", "2");
        assertUsage("--refid applies to sntp only, not to echo", "serve", "echo", "--refid", "GPS");
    }

    @Test
    void metricsOptionsAreChecked() {
        String form = "--metrics wants HOST:PORT, e.g. 127.0.0.1:9100 or [::1]:9100 (port 0 picks a free one), not ";
        assertUsage(form + "'9100'", "serve", "echo", "--metrics", "9100");
        assertUsage(form + "':9100'", "serve", "echo", "--metrics", ":9100");
        assertUsage(form + "'127.0.0.1:http'", "serve", "echo", "--metrics", "127.0.0.1:http");
        assertUsage(form + "'127.0.0.1:65536'", "serve", "echo", "--metrics", "127.0.0.1:65536");
        assertUsage("--metrics and --blocking conflict: the metrics endpoint is served by the event loops and"
                + " reports their figures", "serve", "echo", "--blocking", "--metrics", "127.0.0.1:0");
        MainTest.Result r = MainTest.run("serve", "echo", "--slow-callback", "-1");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("is not a duration"), r.err());
    }

    @Test
    void slowCallbacksAre100MsByDefaultAndMetricsTakeIpv6() {
        assertEquals(java.time.Duration.ofMillis(100), parsed("echo").observability().slowCallback());
        assertEquals(java.time.Duration.ZERO, parsed("echo", "--slow-callback", "0").observability().slowCallback());
        assertEquals(java.time.Duration.ofMillis(250),
                parsed("echo", "--slow-callback", "250ms").observability().slowCallback());
        dev.uloop.services.Observability o = parsed("echo", "--metrics", "[::1]:9100").observability();
        assertEquals("::1", o.metricsHost());
        assertEquals(9100, o.metricsPort());
        assertTrue(!parsed("echo").observability().metrics());
    }

    @Test
    void spinIsOffByDefaultTakesMicrosecondsAndIsRefusedWithBlocking() {
        assertEquals(java.time.Duration.ZERO, parsed("echo").spin());
        assertEquals(java.time.Duration.ofNanos(100_000), parsed("echo", "--spin", "100us").spin());
        assertEquals(java.time.Duration.ofMillis(1), parsed("echo", "--spin", "1ms", "--loops", "2").spin());
        assertEquals(java.time.Duration.ZERO, parsed("echo", "--spin", "0").spin());
        assertUsage("invalid value for option '--spin': '-1ms' is not a duration; write e.g. 500ms, 5s or 1m",
                "serve", "echo", "--spin", "-1ms");
        assertUsage("invalid value for option '--spin': 'fast' is not a duration; write e.g. 500ms, 5s or 1m",
                "serve", "echo", "--spin", "fast");
        assertUsage("--blocking and --spin conflict: --spin makes the event loops poll before they wait;"
                + " blocking sockets wait in a thread each", "serve", "echo", "--blocking", "--spin", "100us");
    }

    private static dev.uloop.services.ServiceConfig parsed(String... args) {
        ServeCommand c = new ServeCommand();
        new picocli.CommandLine(c).parseArgs(args);
        return c.config();
    }

    @Test
    void virtualNeedsBlocking() {
        assertUsage("--virtual needs --blocking (the event loop uses no thread per connection)",
                "serve", "echo", "--virtual");
    }

    @Test
    void blockingAndBackendConflict() {
        assertUsage("--blocking and --backend conflict: blocking sockets use no event loop backend",
                "serve", "echo", "--blocking", "--backend", "poll");
    }

    @Test
    void loopsOutOfRangeAreBadUsage() {
        assertUsage("--loops must be 1 to 256, got 0", "serve", "echo", "--loops", "0");
        assertUsage("--loops must be 1 to 256, got -2", "serve", "echo", "--loops", "-2");
        assertUsage("--loops must be 1 to 256, got 257", "serve", "echo", "--loops", "257");
        MainTest.Result r = MainTest.run("serve", "echo", "--loops", "two");
        assertEquals(2, r.status(), r.err());
    }

    @Test
    void loopsAndBlockingConflict() {
        String message = "--blocking and --loops conflict: blocking sockets use a thread per connection, not event loops";
        assertUsage(message, "serve", "echo", "--blocking", "--loops", "2");
        assertUsage(message, "serve", "daytime", "--loops", "1", "--blocking", "--virtual");
    }

    @Test
    void anUnknownBackendIsBadUsage() {
        MainTest.Result r = MainTest.run("serve", "echo", "--backend", "kqueue");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.errLines().get(0).contains("unknown backend 'kqueue'"), r.err());
    }

    @Test
    void formatIsForDaytimeOnlyAndChecked() {
        assertUsage("--format applies to daytime only, not to echo", "serve", "echo", "--format", "inetd");
        assertUsage("unknown daytime format 'iso'; choose seed or inetd", "serve", "daytime", "--format", "iso");
    }

    @Test
    void negativeRateLimitAndGraceAreBadUsage() {
        assertUsage("--rate-limit must be 0 (no limit) or more, got -1", "serve", "echo", "--rate-limit", "-1");
        assertUsage("--grace must be 0 or more milliseconds, got -5", "serve", "echo", "--grace", "-5");
    }

    @Test
    void rateLimitPrefixesAreCheckedAndReachTheService() {
        assertUsage("--rate-limit-v4-prefix needs --rate-limit N (it says which sources share one limit)",
                "serve", "sntp", "--rate-limit-v4-prefix", "16");
        assertUsage("--rate-limit-v4-prefix/--rate-limit-v6-prefix: IPv4 prefix /33; choose 1 to 32",
                "serve", "sntp", "--rate-limit", "5", "--rate-limit-v4-prefix", "33");
        assertUsage("--rate-limit-v4-prefix/--rate-limit-v6-prefix: IPv6 prefix /0; choose 1 to 128",
                "serve", "echo", "--rate-limit", "5", "--rate-limit-v6-prefix", "0");
        assertEquals(new dev.uloop.services.RateLimit(5, 24, 56), config("serve", "sntp", "--rate-limit", "5").rateLimit());
        assertEquals(new dev.uloop.services.RateLimit(5, 32, 64), config("serve", "sntp", "--rate-limit", "5",
                "--rate-limit-v4-prefix", "32", "--rate-limit-v6-prefix", "64").rateLimit());
    }

    /** The configuration {@code uloop args} would serve. */
    private static dev.uloop.services.ServiceConfig config(String... args) {
        picocli.CommandLine cl = Main.newCommandLine();
        picocli.CommandLine.ParseResult parsed = cl.parseArgs(args);
        ServeCommand serve = (ServeCommand) parsed.subcommand().commandSpec().userObject();
        return serve.config();
    }

    @Test
    void badConnectionLimitsAndIdleTimeoutsAreBadUsage() {
        assertUsage("--max-connections must be 0 (no limit) or more, got -1", "serve", "echo", "--max-connections",
                "-1");
        assertUsage("--max-per-source must be 0 (no limit) or more, got -3", "serve", "daytime", "--max-per-source",
                "-3");
        assertUsage("--idle-timeout must be more than 0 (leave it out for no timeout), got 0 ms", "serve", "echo",
                "--idle-timeout", "0");
        assertUsage("invalid value for option '--idle-timeout': '-5s' is not a duration; write e.g. 500ms, 5s or 1m",
                "serve", "echo", "--idle-timeout", "-5s");
        assertUsage("--max-connections applies to TCP only; sntp is served over UDP only", "serve", "sntp",
                "--max-connections", "5");
        assertUsage("--idle-timeout applies to TCP only; TCP is not served here: add --tcp", "serve", "echo", "--udp",
                "--idle-timeout", "5s");
        assertUsage("--max-connections applies to TCP only; TCP is not served here: add --tcp", "serve", "echo",
                "--unix", "/tmp/uloop-limits-test.sock", "--max-connections", "5");
        assertUsage("--inetd and --max-per-source conflict: with --inetd one connection is served; inetd or xinetd"
                + " limits the instances", "serve", "echo", "--inetd", "--max-per-source", "2");
        assertEquals(new dev.uloop.services.TcpLimits(5, 2, java.time.Duration.ofMillis(500)), config("serve", "echo",
                "--max-connections", "5", "--max-per-source", "2", "--idle-timeout", "500ms").limits());
        assertEquals(dev.uloop.services.TcpLimits.NONE, config("serve", "echo").limits());
    }

    /** A port some other socket holds: one line naming it, exit 1, nothing on stdout. */
    @ParameterizedTest
    @ValueSource(strings = {"--backend=poll", "--loops=2", "--blocking", "--virtual"})
    void aBusyPortFailsWithOneLine(String mode) throws IOException {
        try (ServerSocket holder = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = holder.getLocalPort();
            String[] args = mode.equals("--virtual")
                    ? new String[] {"serve", "echo", "--tcp", "--port", "" + port, "--blocking", "--virtual"}
                    : new String[] {"serve", "echo", "--tcp", "--port", "" + port, mode};
            MainTest.Result r = MainTest.run(args);
            assertEquals(1, r.status(), r.err());
            assertEquals("", r.out());
            assertEquals(List.of("uloop: 127.0.0.1:" + port + " is already in use"), r.errLines());
        }
    }

    /** Ports below 1024 need root: one line that says so (skipped when this runs as root). */
    @ParameterizedTest
    @ValueSource(strings = {"--backend=poll", "--blocking"})
    void aPrivilegedPortFailsWithOneLine(String mode) {
        assumeTrue(!canBind(7), "this process may bind privileged ports (root?); nothing to check");
        MainTest.Result r = MainTest.run("serve", "echo", "--tcp", "--port", "7", mode);
        assertEquals(1, r.status(), r.err());
        assertEquals(List.of("uloop: binding 127.0.0.1:7 needs root or CAP_NET_BIND_SERVICE (ports below 1024 are"
                + " privileged); choose another port with --port"), r.errLines());
    }

    private static boolean canBind(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return !e.getMessage().contains("ermission");   // busy means allowed but taken
        }
    }
}
