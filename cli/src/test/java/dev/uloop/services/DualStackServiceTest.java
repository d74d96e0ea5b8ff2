package dev.uloop.services;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A service bound to {@code ::} serves IPv4 and IPv6 clients alike, over TCP and UDP, on
 * every backend, on two loops and on blocking sockets: one dual-stack socket per protocol
 * (and loop), not IPv6 only.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DualStackServiceTest {
    private static final InetAddress V4 = address("127.0.0.1");
    private static final InetAddress V6 = address("::1");

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean ipv6Loopback() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(V6, 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void echoesOverTcp(InetAddress client, int port) throws IOException {
        byte[] msg = ("tcp from " + client.getHostAddress()).getBytes(StandardCharsets.US_ASCII);
        try (Socket s = Peer.connect(new InetSocketAddress(client, port))) {
            s.getOutputStream().write(msg);
            s.shutdownOutput();
            assertArrayEquals(msg, Peer.readAll(s.getInputStream()));
        }
    }

    private static void echoesOverUdp(InetAddress client, int port) throws IOException {
        byte[] msg = ("udp from " + client.getHostAddress()).getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(client, 0))) {
            Peer.send(s, new InetSocketAddress(client, port), msg);
            assertArrayEquals(msg, Peer.receive(s, Peer.TIMEOUT_MS), "no echo for a datagram from " + client);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theIpv6WildcardServesIpv4AndIpv6(Mode mode) throws Exception {
        Server server = mode.start(ServiceConfig.of(Service.ECHO).withHost("::"));
        try {
            assertTrue(server.readyLine().contains("tcp [::]:") && server.readyLine().contains("udp [::]:"),
                    server.readyLine());
            int tcp = server.tcpAddress().getPort();
            int udp = server.udpAddress().getPort();
            echoesOverTcp(V4, tcp);
            echoesOverUdp(V4, udp);
            assumeTrue(ipv6Loopback(), "this machine has no IPv6 loopback (::1); the IPv4 half passed, skipping"
                    + " the IPv6 half");
            echoesOverTcp(V6, tcp);
            echoesOverUdp(V6, udp);
        } finally {
            assertTrue(server.stop(), "stopped in time");
        }
    }
}
