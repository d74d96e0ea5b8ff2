package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.it.UloopServer.Mode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code uloop serve echo --host ::} serves IPv4 and IPv6: socat reaches it over TCP and UDP
 * at 127.0.0.1 and at ::1 (the IPv6 half is skipped where there is no IPv6 loopback).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DualStackTest {
    private static final List<Mode> MODES = List.of(Mode.EPOLL, Mode.EPOLL_2_LOOPS, Mode.BLOCKING);
    private static ServerSet servers;

    @BeforeAll
    @Timeout(value = 6, unit = TimeUnit.MINUTES)   // bin/uloop may have to build first
    static void startServers() throws IOException {
        servers = ServerSet.start("echo", MODES, "--host", "::");
    }

    @AfterAll
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    static void stopServers() {
        if (servers != null) {
            servers.close();
        }
    }

    private static void echoesOver(String client, UloopServer s) throws Exception {
        byte[] data = ("hello over " + client + "\n").getBytes(StandardCharsets.US_ASCII);
        InetSocketAddress tcp = new InetSocketAddress(client, s.tcpPort());
        Exec.Result t = Peers.ok(Peers.socatTcp(tcp, data, Duration.ofSeconds(10)));
        assertArrayEquals(data, t.out(), t::describe);
        InetSocketAddress udp = new InetSocketAddress(client, s.udpPort());
        Exec.Result u = Peers.socatUdp(udp, data, data.length, Duration.ofSeconds(3));
        assertArrayEquals(data, u.out(), u::describe);
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"EPOLL", "EPOLL_2_LOOPS", "BLOCKING"})
    void ipv4AndIpv6ClientsAreServed(Mode mode) throws Exception {
        UloopServer s = servers.get(mode);
        assertTrue(s.readyLine().contains("tcp [::]:") && s.readyLine().contains("udp [::]:"), s.readyLine());
        echoesOver("127.0.0.1", s);
        assumeTrue(Ipv6Test.ipv6Loopback(), "this machine has no IPv6 loopback (::1): IPv4 passed, skipping IPv6");
        echoesOver("::1", s);
    }
}
