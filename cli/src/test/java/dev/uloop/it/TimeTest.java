package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.it.UloopServer.Mode;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code uloop serve time} (RFC 868) in every mode, asked by rdate over TCP
 * ({@code rdate -p -o PORT}) and UDP ({@code rdate -u -p -o PORT}); {@code -p} only prints,
 * it never sets the clock. Plus the raw 4 bytes and garbage input.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimeTest {
    /** Seconds from 1900-01-01 to 1970-01-01. */
    static final long EPOCH_1900 = 2_208_988_800L;
    /** rdate -p prints ctime-like local time, e.g. {@code Mon Nov 23 13:23:30 UTC 2026}. */
    static final Pattern RDATE = Pattern.compile(
            "([A-Z][a-z]{2}) ([A-Z][a-z]{2}) +(\\d{1,2}) (\\d{2}):(\\d{2}):(\\d{2}) (?:\\S+ )?(\\d{4})");

    private static ServerSet servers;

    @BeforeAll
    @Timeout(value = 6, unit = TimeUnit.MINUTES)   // bin/uloop may have to build first
    static void startServers() throws IOException {
        servers = ServerSet.start("time", List.of(Mode.values()));
    }

    @AfterAll
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    static void stopServers() {
        servers.close();
    }

    /** Parses rdate's line into local date-time. */
    static LocalDateTime parseRdate(String out) {
        Matcher m = RDATE.matcher(out);
        assertTrue(m.find(), () -> "no date in rdate's output: " + out);
        Month month = null;
        for (Month mo : Month.values()) {
            if (mo.getDisplayName(TextStyle.SHORT, Locale.US).equals(m.group(2))) {
                month = mo;
            }
        }
        assertTrue(month != null, () -> "unknown month in " + out);
        return LocalDateTime.of(Integer.parseInt(m.group(7)), month, Integer.parseInt(m.group(3)),
                Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)));
    }

    /** Asserts 4 bytes: big-endian seconds since 1900 (mod 2^32), within a few seconds of now. */
    static void assertRfc868(byte[] reply, String what) {
        assertEquals(4, reply.length, what + ": an RFC 868 reply is 4 bytes");
        long got = ByteBuffer.wrap(reply).getInt() & 0xffff_ffffL;
        long want = (System.currentTimeMillis() / 1000 + EPOCH_1900) & 0xffff_ffffL;
        long diff = Math.abs(got - want);
        diff = Math.min(diff, (1L << 32) - diff);
        long d = diff;
        assertTrue(d <= 5, () -> what + ": " + got + " is " + d + " s away from now (" + want + ")");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void rdateOverTcp(Mode mode) {
        UloopServer s = servers.get(mode);
        Exec.Result r = Peers.ok(Exec.run(Duration.ofSeconds(15), null,
                Peers.rdate(), "-p", "-o", Integer.toString(s.tcpPort()), "127.0.0.1"));
        Peers.assertNearNow(parseRdate(r.text()), 5, "rdate -p");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void rdateOverUdp(Mode mode) {
        UloopServer s = servers.get(mode);
        Exec.Result r = Peers.ok(Exec.run(Duration.ofSeconds(15), null,
                Peers.rdate(), "-u", "-p", "-o", Integer.toString(s.udpPort()), "127.0.0.1"));
        Peers.assertNearNow(parseRdate(r.text()), 5, "rdate -u -p");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void rawFourBytesOverTcpAndUdp(Mode mode) throws Exception {
        UloopServer s = servers.get(mode);
        Exec.Result tcp = Peers.ok(Exec.run(Duration.ofSeconds(15), null,
                Peers.socat(), "-u", Peers.socatAddress("TCP", s.tcp()), "-"));
        assertRfc868(tcp.out(), "tcp");
        Exec.Result udp = Peers.socatUdp(s.udp(), "\n".getBytes(), 4, Duration.ofSeconds(3));
        assertRfc868(udp.out(), "udp");
    }

    /** Garbage datagrams (an empty one too) are answered; TCP input is ignored; the server stays up. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void garbageInputIsAnsweredOrIgnoredAndTheServerStaysUp(Mode mode) throws Exception {
        UloopServer s = servers.get(mode);
        byte[] garbage = EchoTest.random(1500, 868);
        try (DatagramSocket ds = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            ds.setSoTimeout(3000);
            for (byte[] d : List.of(garbage, new byte[0], new byte[] {(byte) 0xff})) {
                ds.send(new DatagramPacket(d, d.length, s.udp()));
                DatagramPacket reply = new DatagramPacket(new byte[100], 100);
                ds.receive(reply);
                byte[] got = new byte[reply.getLength()];
                System.arraycopy(reply.getData(), 0, got, 0, got.length);
                assertRfc868(got, "reply to a " + d.length + "-byte datagram");
            }
        }
        for (int i = 0; i < 3; i++) {
            try (Socket sock = new Socket(s.tcp().getAddress(), s.tcp().getPort())) {
                sock.setSoTimeout(5000);
                try {
                    sock.getOutputStream().write(garbage);
                    InputStream in = sock.getInputStream();
                    byte[] got = in.readAllBytes();
                    if (got.length > 0) {   // a reset may eat the reply: the server throws input away
                        assertRfc868(got, "tcp reply after garbage");
                    }
                } catch (SocketException reset) {
                    // see above
                }
            }
        }
        s.assertAlive();
        Exec.Result r = Peers.ok(Exec.run(Duration.ofSeconds(15), null,
                Peers.rdate(), "-p", "-o", Integer.toString(s.tcpPort()), "127.0.0.1"));
        Peers.assertNearNow(parseRdate(r.text()), 5, "rdate -p after garbage");
    }
}
