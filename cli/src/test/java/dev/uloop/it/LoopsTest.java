package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.it.UloopServer.Mode;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code uloop serve --loops 2}: the kernel spreads clients over both loops (SO_REUSEPORT),
 * as the stop line's per-loop counters show: many TCP clients and UDP sources for echo, and
 * rdate, run many times, for time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoopsTest {
    private static final Pattern TCP = Pattern.compile("tcp: (\\d+) connections \\(per event loop: (\\d+), (\\d+)\\)");
    private static final Pattern UDP = Pattern.compile("udp: (\\d+) answered \\(per event loop: (\\d+), (\\d+)\\)");

    /** The stop line's counters: {@code total} in all, split over two loops that both got some. */
    static void assertSpread(Pattern p, String stderr, int total) {
        String line = stderr.lines().filter(l -> l.contains(" stopped; ")).findFirst().orElse("");
        Matcher m = p.matcher(line);
        assertTrue(m.find(), () -> "no per-loop counters (" + p + ") in the stop line; stderr:\n" + stderr);
        long a = Long.parseLong(m.group(2));
        long b = Long.parseLong(m.group(3));
        assertEquals(total, Long.parseLong(m.group(1)), line);
        assertEquals(total, a + b, line);
        assertTrue(a > 0 && b > 0, () -> "both loops should have served some: " + line);
        System.out.println("[LoopsTest] " + line.substring(line.indexOf("uloop ")));
    }

    @Test
    void echoClientsAndDatagramsSpreadOverBothLoops() throws Exception {
        try (UloopServer s = UloopServer.start("echo", Mode.EPOLL_2_LOOPS)) {
            assertTrue(s.readyLine().endsWith("(backend epoll, 2 loops)"), s.readyLine());
            assertEquals(s.tcpPort(), s.udpPort(), s.readyLine());
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) {
                    Socket c = new Socket();
                    clients.add(c);
                    c.connect(s.tcp(), 5000);
                    c.setSoTimeout(5000);
                    byte[] msg = ("client " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                    c.getOutputStream().write(msg);
                    assertArrayEquals(msg, c.getInputStream().readNBytes(msg.length), "client " + i);
                }
            } finally {
                for (Socket c : clients) {
                    c.close();
                }
            }
            for (int i = 0; i < 64; i++) {
                try (DatagramSocket u = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                    u.setSoTimeout(5000);
                    byte[] msg = ("source " + i).getBytes(StandardCharsets.US_ASCII);
                    u.send(new DatagramPacket(msg, msg.length, s.udp()));
                    DatagramPacket back = new DatagramPacket(new byte[64], 64);
                    u.receive(back);
                    assertEquals("source " + i, new String(back.getData(), 0, back.getLength(), StandardCharsets.US_ASCII));
                }
            }
            UloopServer.Stopped stopped = s.stop(UloopServer.STOP_TIMEOUT);
            UloopServer.assertCleanExit(s.command(), stopped);
            assertSpread(TCP, stopped.stderr(), 64);
            assertSpread(UDP, stopped.stderr(), 64);
        }
    }

    @Test
    void rdateRunsSpreadOverBothLoops() throws Exception {
        try (UloopServer s = UloopServer.start("time", Mode.EPOLL_2_LOOPS)) {
            int runs = 32;
            for (int i = 0; i < runs; i++) {
                Exec.Result tcp = Peers.ok(Exec.run(Duration.ofSeconds(15), null,
                        Peers.rdate(), "-p", "-o", Integer.toString(s.tcpPort()), "127.0.0.1"));
                Peers.assertNearNow(TimeTest.parseRdate(tcp.text()), 5, "rdate -p");
                Exec.Result udp = Peers.ok(Exec.run(Duration.ofSeconds(15), null,
                        Peers.rdate(), "-u", "-p", "-o", Integer.toString(s.udpPort()), "127.0.0.1"));
                Peers.assertNearNow(TimeTest.parseRdate(udp.text()), 5, "rdate -u -p");
            }
            UloopServer.Stopped stopped = s.stop(UloopServer.STOP_TIMEOUT);
            UloopServer.assertCleanExit(s.command(), stopped);
            assertSpread(TCP, stopped.stderr(), runs);
            assertSpread(UDP, stopped.stderr(), runs);
        }
    }
}
