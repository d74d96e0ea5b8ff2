package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.it.UloopServer.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code uloop serve daytime} (RFC 867) in every mode (seed format) and in two modes with
 * {@code --format inetd}, over TCP (nc, socat) and UDP (socat), plus garbage input.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DaytimeTest {
    /** {@code 2020-06-11 13:52:38.709123\r\n}, the whole reply. */
    static final Pattern SEED = Pattern.compile("(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6})\r\n");
    static final DateTimeFormatter SEED_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    /** {@code Thu Jun 11 13:52:38 2020\r\n} (ctime(3): the day of the month padded with a space). */
    static final Pattern INETD = Pattern.compile("([A-Z][a-z]{2} [A-Z][a-z]{2} ( [1-9]|[12]\\d|3[01]) \\d{2}:\\d{2}:\\d{2} \\d{4})\r\n");
    static final DateTimeFormatter INETD_FORMAT = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);
    static final int SEED_LENGTH = 28;
    static final int INETD_LENGTH = 26;

    private static final Map<Mode, UloopServer> SEED_SERVERS = new EnumMap<>(Mode.class);
    private static final Map<Mode, UloopServer> INETD_SERVERS = new EnumMap<>(Mode.class);
    private static final List<UloopServer> ALL = new ArrayList<>();

    /** The seed-format server of a mode; skips the test where the mode cannot run. */
    private static UloopServer seed(Mode mode) {
        mode.assumeAvailable();
        return SEED_SERVERS.get(mode);
    }

    @BeforeAll
    @Timeout(value = 6, unit = TimeUnit.MINUTES)   // bin/uloop may have to build first
    static void startServers() throws IOException {
        List<Mode> modes = Mode.availableOf(List.of(Mode.values()));
        List<Mode> inetdModes = List.of(Mode.EPOLL, Mode.VIRTUAL);
        List<UloopServer> launched = new ArrayList<>();
        try {
            for (Mode m : modes) {
                launched.add(UloopServer.launch(UloopServer.args("daytime", m)));
            }
            for (Mode m : inetdModes) {
                launched.add(UloopServer.launch(UloopServer.args("daytime", m, "--format", "inetd")));
            }
            for (UloopServer s : launched) {
                s.awaitReady();
            }
        } catch (Throwable t) {
            launched.forEach(UloopServer::kill);
            throw t;
        }
        ALL.addAll(launched);
        for (int i = 0; i < modes.size(); i++) {
            SEED_SERVERS.put(modes.get(i), launched.get(i));
            assertTrue(launched.get(i).readyLine().contains(modes.get(i).readyTag), launched.get(i).readyLine());
        }
        for (int i = 0; i < inetdModes.size(); i++) {
            INETD_SERVERS.put(inetdModes.get(i), launched.get(modes.size() + i));
        }
    }

    @AfterAll
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    static void stopServers() {
        UloopServer.closeAll(ALL);
    }

    /** Checks a whole seed-format reply and that it is within a few seconds of now. */
    static void assertSeed(String reply) {
        Matcher m = SEED.matcher(reply);
        assertTrue(m.matches(), () -> "not a seed daytime line (yyyy-MM-dd HH:mm:ss.SSSSSS\\r\\n): " + quote(reply));
        Peers.assertNearNow(LocalDateTime.parse(m.group(1), SEED_FORMAT), 5, "daytime");
    }

    /** Checks a whole inetd-format reply and that it is within a few seconds of now. */
    static void assertInetd(String reply) {
        Matcher m = INETD.matcher(reply);
        assertTrue(m.matches(), () -> "not an inetd daytime line (Thu Jun 11 13:52:38 2020\\r\\n): " + quote(reply));
        Peers.assertNearNow(LocalDateTime.parse(m.group(1), INETD_FORMAT), 5, "daytime");
    }

    static String quote(String s) {
        return "\"" + s.replace("\r", "\\r").replace("\n", "\\n") + "\"";
    }

    /** {@code nc -d host port}: no stdin, prints what the server sends until it closes. */
    static Exec.Result ncTcp(InetSocketAddress a) {
        return Peers.ok(Exec.run(Duration.ofSeconds(15), null,
                Peers.nc(), "-d", "-w", "5", a.getAddress().getHostAddress(), Integer.toString(a.getPort())));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void ncTcpGetsTheSeedFormat(Mode mode) {
        Exec.Result r = ncTcp(seed(mode).tcp());
        assertSeed(r.text());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void socatUdpGetsTheSeedFormat(Mode mode) throws Exception {
        Exec.Result r = Peers.socatUdp(seed(mode).udp(), "what time is it?\n".getBytes(StandardCharsets.US_ASCII),
                SEED_LENGTH, Duration.ofSeconds(3));
        assertSeed(r.text());
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"EPOLL", "VIRTUAL"})
    void inetdFormatOverTcpAndUdp(Mode mode) throws Exception {
        UloopServer s = INETD_SERVERS.get(mode);
        Exec.Result tcp = Peers.ok(Exec.run(Duration.ofSeconds(15), null,
                Peers.socat(), "-u", Peers.socatAddress("TCP", s.tcp()), "-"));
        assertInetd(tcp.text());
        Exec.Result udp = Peers.socatUdp(s.udp(), "x".getBytes(StandardCharsets.US_ASCII), INETD_LENGTH, Duration.ofSeconds(3));
        assertInetd(udp.text());
        assertInetd(ncTcp(s.tcp()).text());
    }

    /**
     * Binary garbage, over UDP (answered like any datagram, an empty one included) and over
     * TCP (thrown away), and clients that connect and leave at once: the server answers
     * normally afterwards.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void garbageInputIsAnsweredOrIgnoredAndTheServerStaysUp(Mode mode) throws Exception {
        UloopServer s = seed(mode);
        byte[] garbage = EchoTest.random(1200, 867);
        try (DatagramSocket ds = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            ds.setSoTimeout(3000);
            for (byte[] d : List.of(garbage, new byte[0], new byte[] {0, (byte) 0xff, '\r', '\n'})) {
                ds.send(new DatagramPacket(d, d.length, s.udp()));
                DatagramPacket reply = new DatagramPacket(new byte[200], 200);
                ds.receive(reply);
                assertSeed(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII));
            }
        }
        for (int i = 0; i < 3; i++) {
            tcpGarbage(s.tcp(), garbage);
            new Socket(s.tcp().getAddress(), s.tcp().getPort()).close();   // connect and leave at once
        }
        s.assertAlive();
        assertSeed(ncTcp(s.tcp()).text());
        Exec.Result udp = Peers.socatUdp(s.udp(), garbage, SEED_LENGTH, Duration.ofSeconds(3));
        assertSeed(udp.text());
    }

    /**
     * Sends garbage over TCP and reads what comes back. The server throws input away and
     * closes after its line, so the close may turn into a reset that eats the line: only a
     * reply that did arrive is checked.
     */
    static void tcpGarbage(InetSocketAddress a, byte[] garbage) throws IOException {
        try (Socket sock = new Socket(a.getAddress(), a.getPort())) {
            sock.setSoTimeout(5000);
            OutputStream out = sock.getOutputStream();
            InputStream in = sock.getInputStream();
            byte[] got;
            try {
                out.write(garbage);
                out.flush();
                got = in.readAllBytes();
            } catch (SocketException reset) {
                return;
            }
            if (got.length > 0) {
                assertSeed(new String(got, StandardCharsets.US_ASCII));
            }
        }
    }
}
