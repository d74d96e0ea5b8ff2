package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.it.UloopServer.Mode;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code uloop serve echo --host ::1}, driven by socat over TCP6 and UDP6. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Ipv6Test {
    private static ServerSet servers;

    @BeforeAll
    @Timeout(value = 6, unit = TimeUnit.MINUTES)   // bin/uloop may have to build first
    static void startServers() throws IOException {
        servers = ServerSet.start("echo", List.of(Mode.EPOLL, Mode.EPOLL_2_LOOPS, Mode.BLOCKING), "--host", "::1");
    }

    @AfterAll
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    static void stopServers() {
        servers.close();
    }

    static boolean ipv6Loopback() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"EPOLL", "EPOLL_2_LOOPS", "BLOCKING"})
    void readyLineShowsTheIpv6Addresses(Mode mode) {
        UloopServer s = servers.get(mode);
        assertTrue(s.readyLine().contains("tcp [::1]:") && s.readyLine().contains("udp [::1]:"), s.readyLine());
        assertTrue(s.tcp().getAddress() instanceof Inet6Address && s.tcp().getAddress().isLoopbackAddress(), s::readyLine);
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"EPOLL", "EPOLL_2_LOOPS", "BLOCKING"})
    void socatTcp6Echoes(Mode mode) {
        UloopServer s = servers.get(mode);
        byte[] data = EchoTest.random(256 * 1024, 6);
        Exec.Result r = Peers.ok(Exec.run(Duration.ofSeconds(20), data,
                Peers.socat(), "-t", "2", "-", "TCP6:[::1]:" + s.tcpPort()));
        assertEquals(data.length, r.out().length, r::describe);
        assertArrayEquals(data, r.out());
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"EPOLL", "EPOLL_2_LOOPS", "BLOCKING"})
    void socatUdp6Echoes(Mode mode) throws Exception {
        UloopServer s = servers.get(mode);
        byte[] data = "over udp6\n".getBytes(StandardCharsets.US_ASCII);
        Exec.Result r = Peers.socatUdp(s.udp(), data, data.length, Duration.ofSeconds(3));
        assertArrayEquals(data, r.out(), r::describe);
    }
}
