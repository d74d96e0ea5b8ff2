package dev.uloop.services;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.Backend;
import java.net.DatagramSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A service on two event loops: 64 TCP clients and 64 UDP sources end up on both loops, and
 * the counters line adds them up and says what each loop did.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopsServiceTest {
    private static final Pattern TCP = Pattern.compile("tcp: (\\d+) connections \\(per event loop: (\\d+), (\\d+)\\)");
    private static final Pattern UDP = Pattern.compile("udp: (\\d+) answered \\(per event loop: (\\d+), (\\d+)\\)");

    @Test
    void clientsSpreadOverBothLoopsAndTheSummaryAddsThemUp() throws Exception {
        Server server = Server.onLoop(ServiceConfig.of(Service.ECHO).withPort(0), Backend.best(), 2);
        server.start();
        try {
            assertTrue(server.readyLine().endsWith("(backend " + Backend.best().id() + ", 2 loops)"), server.readyLine());
            assertEquals(server.tcpAddress().getPort(), server.udpAddress().getPort());
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) {
                    Socket s = Peer.connect(server.tcpAddress());
                    clients.add(s);
                    byte[] msg = ("tcp client " + i).getBytes(StandardCharsets.US_ASCII);
                    s.getOutputStream().write(msg);
                    assertArrayEquals(msg, s.getInputStream().readNBytes(msg.length));
                }
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
            for (int i = 0; i < 64; i++) {
                try (DatagramSocket u = Peer.udp()) {
                    byte[] msg = ("udp source " + i).getBytes(StandardCharsets.US_ASCII);
                    Peer.send(u, server.udpAddress(), msg);
                    assertArrayEquals(msg, Peer.receive(u, Peer.TIMEOUT_MS));
                }
            }
        } finally {
            assertTrue(server.stop(), "stopped in time");
        }
        String summary = server.summary();
        System.out.println("[LoopsServiceTest] " + summary);
        assertSpread(TCP, summary);
        assertSpread(UDP, summary);
    }

    /** 64 in all, split over two loops that both got some. */
    private static void assertSpread(Pattern p, String summary) {
        Matcher m = p.matcher(summary);
        assertTrue(m.find(), summary);
        long a = Long.parseLong(m.group(2));
        long b = Long.parseLong(m.group(3));
        assertEquals(64, Long.parseLong(m.group(1)), summary);
        assertEquals(64, a + b, summary);
        assertTrue(a > 0 && b > 0, "both loops should have served some: " + summary);
    }

    @Test
    void aServerOnOneLoopSaysNothingAboutLoops() throws Exception {
        try (Server server = Server.onLoop(ServiceConfig.of(Service.DAYTIME).withPort(0), Backend.best(), 1)) {
            server.start();
            assertTrue(server.readyLine().endsWith("(backend " + Backend.best().id() + ")"), server.readyLine());
            Peer.tcpRead(server.tcpAddress());
            assertTrue(server.stop());
            assertTrue(server.summary().startsWith("tcp: 1 connection; udp: 0 answered, 0 dropped"), server.summary());
        }
    }
}
