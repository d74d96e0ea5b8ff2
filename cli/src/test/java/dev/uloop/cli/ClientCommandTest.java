package dev.uloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.Backend;
import dev.uloop.services.Server;
import dev.uloop.services.Service;
import dev.uloop.services.ServiceConfig;
import dev.uloop.sntp.SntpSettings;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code uloop client}, in-process, against in-process servers on port 0. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientCommandTest {
    private static Server echo;
    private static Server daytime;
    private static Server time;
    private static Server sntp;

    @BeforeAll
    static void startServers() throws IOException {
        echo = Server.onLoop(ServiceConfig.of(Service.ECHO).withPort(0), Backend.best());
        daytime = Server.blocking(ServiceConfig.of(Service.DAYTIME).withPort(0), true);
        time = Server.onLoop(ServiceConfig.of(Service.TIME).withPort(0), Backend.best());
        sntp = Server.onLoop(ServiceConfig.of(Service.SNTP).withPort(0).withRateLimit(2)
                .withSntp(SntpSettings.DEFAULT.withKissOfDeath(true)), Backend.best());
        for (Server s : List.of(echo, daytime, time, sntp)) {
            s.start();
        }
    }

    @AfterAll
    static void stopServers() {
        for (Server s : new Server[] {echo, daytime, time, sntp}) {
            if (s != null) {
                s.stop();
            }
        }
    }

    private static MainTest.Result client(Server s, boolean udp, String... rest) {
        InetSocketAddress at = udp ? s.udpAddress() : s.tcpAddress();
        List<String> args = new ArrayList<>(List.of("client", s.config().service().id(), "--port", "" + at.getPort()));
        if (udp) {
            args.add("--udp");
        }
        args.addAll(List.of(rest));
        return MainTest.run(args.toArray(String[]::new));
    }

    @Test
    void echoPrintsWhatCameBack() {
        for (boolean udp : new boolean[] {false, true}) {
            MainTest.Result r = client(echo, udp, "hello", "there");
            assertEquals(0, r.status(), r.err());
            assertEquals("hello there" + System.lineSeparator(), r.out());
            assertEquals("", r.err());
            MainTest.Result dflt = client(echo, udp);
            assertEquals("hello" + System.lineSeparator(), dflt.out());
        }
    }

    @Test
    void anEchoThatDiffersExitsWith1() {
        MainTest.Result r = MainTest.run("client", "echo", "--port", "" + daytime.tcpAddress().getPort());
        assertEquals(1, r.status(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.errLines().get(0).matches("uloop: the echo from 127\\.0\\.0\\.1:\\d+ \\(tcp\\) differs from what was"
                + " sent \\(5 bytes sent, 28 received\\)"), r.err());
    }

    @Test
    void daytimePrintsTheLine() {
        for (boolean udp : new boolean[] {false, true}) {
            MainTest.Result r = client(daytime, udp);
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\R"), r.out());
        }
    }

    @Test
    void timePrintsAnIsoInstantAndTheOffset() {
        for (boolean udp : new boolean[] {false, true}) {
            MainTest.Result r = client(time, udp);
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\([+-][01] s from the local clock\\)\\R"),
                    r.out());
        }
    }

    /** One reply line as ntpdate -q prints it; the limit of 2 a second lets the first two through. */
    @Test
    void sntpPrintsOffsetAndDelayAndStopsAtAKissOfDeath() {
        String line = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} UTC server 127\\.0\\.0\\.1 port "
                + sntp.udpAddress().getPort() + ", stratum 10, refid 127\\.127\\.1\\.1, offset [+-]0\\.00\\d{4},"
                + " delay 0\\.\\d{6}";
        MainTest.Result r = MainTest.run("client", "sntp", "--port", "" + sntp.udpAddress().getPort(), "--count", "2");
        assertEquals(0, r.status(), r.err());
        assertEquals(3, r.outLines().size(), r.out());
        assertTrue(r.outLines().get(0).matches(line), r.out());
        assertTrue(r.outLines().get(1).matches(line), r.out());
        assertTrue(r.outLines().get(2).matches("2 of 2 replies: offset median [+-]0\\.\\d{6} s \\(min [+-]0\\.\\d{6},"
                + " max [+-]0\\.\\d{6}\\), delay median 0\\.\\d{6} s, server processing \\(t3 - t2\\) median"
                + " \\d+\\.\\d us"), r.out());
        MainTest.Result kod = MainTest.run("client", "sntp", "--port", "" + sntp.udpAddress().getPort(), "--count", "3");
        assertEquals(1, kod.status(), kod.out());
        assertEquals(List.of("uloop: kiss-o'-death RATE from 127.0.0.1 port " + sntp.udpAddress().getPort()
                + ": asking too often"), kod.errLines());
    }

    @Test
    void sntpAgainstAServerThatDoesNotSpeakNtpTimesOut() {
        MainTest.Result r = MainTest.run("client", "sntp", "--port", "" + echo.udpAddress().getPort(), "--timeout", "300");
        assertEquals(1, r.status(), r.out());
        assertEquals(List.of("uloop: no reply from 127.0.0.1 port " + echo.udpAddress().getPort() + " within 300 ms"),
                r.errLines());
    }

    @Test
    void sntpBadArgumentsAreBadUsage() {
        assertEquals(2, MainTest.run("client", "sntp", "--count", "0").status());
        assertEquals(2, MainTest.run("client", "sntp", "--ntp-version", "5").status());
        assertEquals("uloop: sntp takes no MESSAGE", MainTest.run("client", "sntp", "hello").errLines().get(0));
    }

    @Test
    void aRefusedConnectionIsOneLine() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        MainTest.Result r = MainTest.run("client", "echo", "--port", "" + port);
        assertEquals(1, r.status());
        assertEquals(List.of("uloop: 127.0.0.1:" + port + " (tcp): connection refused (is the server running?)"),
                r.errLines());
    }

    @Test
    void aSilentUdpServerTimesOut() throws IOException {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int port = silent.getLocalPort();
            MainTest.Result r = MainTest.run("client", "time", "--udp", "--port", "" + port, "--timeout", "300");
            assertEquals(1, r.status());
            assertEquals(List.of("uloop: no answer from 127.0.0.1:" + port + " (udp) within 300 ms"
                    + " (is the server running?)"), r.errLines());
        }
    }

    @Test
    void aClosedUdpPortIsUnreachable() throws IOException {
        int port;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        MainTest.Result r = MainTest.run("client", "echo", "--udp", "--port", "" + port, "--timeout", "2000");
        assertEquals(1, r.status());
        assertEquals(List.of("uloop: 127.0.0.1:" + port + " (udp): port unreachable (is the server running?)"),
                r.errLines());
    }

    @Test
    void badArgumentsAreBadUsage() {
        assertEquals(2, MainTest.run("client", "echo", "--port", "0").status());
        assertEquals(2, MainTest.run("client", "echo", "--timeout", "0").status());
        MainTest.Result r = MainTest.run("client", "qotd");
        assertEquals(2, r.status());
        assertEquals("uloop: unknown service 'qotd'; choose echo, daytime, time or sntp", r.errLines().get(0));
    }
}
