package dev.uloop.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Daytime (RFC 867) and time (RFC 868) over TCP and UDP, on every backend and both blocking modes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DaytimeTimeServiceTest {
    static final String SEED = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}\r\n";
    static final String INETD = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
            + " [ 1-3]\\d \\d{2}:\\d{2}:\\d{2} \\d{4}\r\n";

    private static void assertNear(LocalDateTime t) {
        Duration off = Duration.between(LocalDateTime.now(), t).abs();
        assertTrue(off.compareTo(Duration.ofSeconds(2)) <= 0, "off by " + off + ": " + t);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void daytimeSendsTheSeedFormatOverTcpAndUdp(Mode mode) throws Exception {
        try (Server server = mode.start(ServiceConfig.of(Service.DAYTIME))) {
            for (byte[] reply : new byte[][] {Peer.tcpRead(server.tcpAddress()),
                Peer.udpAsk(server.udpAddress(), "what time is it?".getBytes())}) {
                String line = new String(reply, StandardCharsets.US_ASCII);
                assertTrue(line.matches(SEED), line);
                assertNear(LocalDateTime.parse(line.strip(), DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void daytimeSendsTheInetdFormatOverTcpAndUdp(Mode mode) throws Exception {
        try (Server server = mode.start(ServiceConfig.of(Service.DAYTIME).withFormat(DaytimeFormat.INETD))) {
            for (byte[] reply : new byte[][] {Peer.tcpRead(server.tcpAddress()),
                Peer.udpAsk(server.udpAddress(), new byte[0])}) {
                String line = new String(reply, StandardCharsets.US_ASCII);
                assertTrue(line.matches(INETD), line);
                assertNear(LocalDateTime.parse(line.strip(),
                        DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US)));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void timeSendsFourBytesWithinTwoSecondsOfNowOverTcpAndUdp(Mode mode) throws Exception {
        try (Server server = mode.start(ServiceConfig.of(Service.TIME))) {
            byte[] tcp = Peer.tcpRead(server.tcpAddress());
            byte[] udp = Peer.udpAsk(server.udpAddress(), new byte[0]);   // an empty datagram is a request too
            for (byte[] reply : new byte[][] {tcp, udp}) {
                assertNotNull(reply);
                assertEquals(4, reply.length);
                long now = Rfc868.toRfc868(Instant.now());
                long got = Rfc868.decode(reply);
                assertTrue(Math.abs(now - got) <= 2, "server " + got + ", local " + now);
            }
        }
    }

    /**
     * A client that sends a request line first (telnet, {@code echo hi | nc}) still gets the
     * reply: the server must not close with that line unread, which would send a reset that
     * discards the reply on the client's side.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void aClientThatSendsSomethingFirstStillGetsTheReply(Mode mode) throws Exception {
        try (Server server = mode.start(ServiceConfig.of(Service.DAYTIME).withProtocols(true, false))) {
            for (int i = 0; i < 3; i++) {
                try (Socket s = Peer.connect(server.tcpAddress())) {
                    s.getOutputStream().write("what time is it?\r\n".getBytes(StandardCharsets.US_ASCII));
                    Thread.sleep(100);   // the reply and the server's answer to our line are both in flight
                    String line = new String(Peer.readAll(s.getInputStream()), StandardCharsets.US_ASCII);
                    assertTrue(line.matches(SEED), line);
                }
            }
        }
    }
}
