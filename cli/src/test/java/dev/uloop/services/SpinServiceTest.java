package dev.uloop.services;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.Backend;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server in latency mode ({@code --spin}): it serves, and every loop spins, as its metrics show. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SpinServiceTest {
    private static final Pattern SPIN_POLLS = Pattern.compile("uloop_loop_spin_polls_total\\{loop=\"(\\d)\"} (\\S+)");

    @Test
    void everyLoopSpinsAndTheEchoAnswers() throws Exception {
        ServiceConfig config = ServiceConfig.of(Service.ECHO).withPort(0).withSpin(Duration.ofMillis(1))
                .withObservability(new Observability("127.0.0.1", 0, Duration.ZERO));
        try (Server server = Server.onLoop(config, Backend.best(), 2)) {
            server.start();
            for (int i = 0; i < 20; i++) {
                try (Socket s = Peer.connect(server.tcpAddress())) {
                    byte[] msg = ("tcp " + i).getBytes(StandardCharsets.US_ASCII);
                    s.getOutputStream().write(msg);
                    assertArrayEquals(msg, s.getInputStream().readNBytes(msg.length));
                }
                try (DatagramSocket u = Peer.udp()) {
                    byte[] msg = ("udp " + i).getBytes(StandardCharsets.US_ASCII);
                    Peer.send(u, server.udpAddress(), msg);
                    assertArrayEquals(msg, Peer.receive(u, Peer.TIMEOUT_MS));
                }
            }
            String metrics = metrics(server);
            Matcher m = SPIN_POLLS.matcher(metrics);
            int loops = 0;
            while (m.find()) {
                loops++;
                assertTrue(Double.parseDouble(m.group(2)) > 0, "loop " + m.group(1) + " did not spin: " + m.group());
            }
            assertTrue(loops == 2, "spin polls of " + loops + " loops in:\n" + metrics);
            assertTrue(server.stop(), "a spinning server stopped in time");
        }
    }

    private static String metrics(Server server) throws IOException {
        try (Socket s = Peer.connect(server.metricsAddress())) {
            s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(Peer.readAll(s.getInputStream()), StandardCharsets.UTF_8);
        }
    }
}
