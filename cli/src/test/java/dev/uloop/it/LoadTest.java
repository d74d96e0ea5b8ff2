package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.it.UloopServer.Mode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code uloop serve echo} under load: sockperf's throughput mode over TCP (10,000 messages
 * a second) and UDP (as fast as it can) at once, one-way floods of 64-byte messages whose
 * echo sockperf never reads, while socat keeps asking for short echoes that must each come
 * back within 2 s.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LoadTest {
    private static ServerSet servers;

    @BeforeAll
    @Timeout(value = 6, unit = TimeUnit.MINUTES)   // bin/uloop may have to build first
    static void startServers() throws IOException {
        servers = ServerSet.start("echo", List.of(Mode.EPOLL, Mode.SELECT, Mode.EPOLL_2_LOOPS, Mode.IO_URING_2_LOOPS,
                Mode.IO_URING_COMPLETION_2_LOOPS));
    }

    @AfterAll
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    static void stopServers() {
        servers.close();
    }

    static Exec.Running sockperf(UloopServer s, boolean tcp) {
        List<String> cmd = new ArrayList<>(List.of(Peers.sockperf(), "throughput"));
        if (tcp) {
            cmd.add("--tcp");
        }
        int port = tcp ? s.tcpPort() : s.udpPort();
        cmd.addAll(List.of("-i", "127.0.0.1", "-p", Integer.toString(port), "-t", "3", "-m", "64"));
        if (tcp) {
            // sockperf never reads the echo, so a server that stops reading when it cannot
            // write (as it should) ends up blocking sockperf's send(2) for good: past the
            // socket buffers (some 14 MB on loopback) sockperf hangs after "Test end". At
            // 10,000 messages a second the ~2.5 MB it sends fit in them.
            cmd.addAll(List.of("--mps", "10000"));
        }
        Exec.Running r = Exec.start(cmd.toArray(String[]::new));
        r.closeStdin();
        return r;
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"EPOLL", "SELECT", "EPOLL_2_LOOPS", "IO_URING_2_LOOPS", "IO_URING_COMPLETION_2_LOOPS"})
    void echoStaysPromptUnderSockperfLoad(Mode mode) throws Exception {
        UloopServer s = servers.get(mode);
        Peers.socat();
        try (Exec.Running tcp = sockperf(s, true); Exec.Running udp = sockperf(s, false)) {
            // sockperf warms up for about 2 s before its 3 s test.
            waitFor(tcp, "Starting test", Duration.ofSeconds(15));
            long slowest = 0;
            for (int i = 0; i < 6; i++) {
                byte[] data = ("probe " + i + " under load\n").getBytes(StandardCharsets.US_ASCII);
                Exec.Result r = Peers.ok(Peers.socatTcp(s.tcp(), data, Duration.ofSeconds(10)));
                assertArrayEquals(data, r.out(), r::describe);
                assertTrue(r.elapsed().toMillis() < 2000, () -> "echo under load took too long: " + r.describe());
                slowest = Math.max(slowest, r.elapsed().toMillis());
                Thread.sleep(250);
            }
            System.out.println("[LoadTest " + mode + "] slowest socat echo under load: " + slowest + " ms");
            for (Exec.Running sp : List.of(tcp, udp)) {
                Exec.Result r = Peers.ok(sp.finish(Duration.ofSeconds(30)));
                assertTrue(r.text().contains("Summary: Message Rate"), r::describe);
                System.out.println("[LoadTest " + mode + "] " + String.join(" ", r.command().subList(1, r.command().size()))
                        + ": " + r.text().lines().filter(l -> l.contains("Summary")).toList());
            }
        }
        s.assertAlive();
        // And still byte-exact for a bigger one after the load.
        byte[] data = EchoTest.random(256 * 1024, 5);
        Exec.Result r = Peers.ok(Peers.socatTcp(s.tcp(), data, Duration.ofSeconds(20)));
        assertArrayEquals(data, r.out(), "echo after the load");
    }

    /**
     * 1,200 connections open at once, past select(2)'s FD_SETSIZE of 1024: every one gets its
     * own bytes back. (Plain Java sockets: no peer here opens that many.)
     */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"EPOLL", "SELECT", "EPOLL_2_LOOPS", "IO_URING_2_LOOPS", "IO_URING_COMPLETION_2_LOOPS"})
    void twelveHundredConnectionsAtOnce(Mode mode) throws Exception {
        UloopServer s = servers.get(mode);
        int n = 1200;
        List<SocketChannel> channels = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                try {
                    channels.add(SocketChannel.open(s.tcp()));
                } catch (IOException e) {
                    assumeTrue(!String.valueOf(e.getMessage()).contains("Too many open files"),
                            "this test JVM cannot open " + n + " sockets (ulimit -n); skipping");
                    throw e;
                }
            }
            for (int i = 0; i < n; i++) {
                channels.get(i).write(ByteBuffer.wrap(("connection " + i + "\n").getBytes(StandardCharsets.US_ASCII)));
            }
            for (int i = 0; i < n; i++) {
                byte[] want = ("connection " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                ByteBuffer got = ByteBuffer.allocate(want.length);
                SocketChannel ch = channels.get(i);
                ch.socket().setSoTimeout(5000);
                int r = ch.socket().getInputStream().readNBytes(got.array(), 0, want.length);
                assertEquals(want.length, r, "connection " + i + " got its echo cut short");
                assertArrayEquals(want, got.array(), "connection " + i);
            }
        } finally {
            for (SocketChannel ch : channels) {
                ch.close();
            }
        }
        s.assertAlive();
    }

    private static void waitFor(Exec.Running r, String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            byte[] out = r.awaitStdout(Integer.MAX_VALUE, Duration.ofMillis(100));
            if (new String(out, StandardCharsets.UTF_8).contains(text)) {
                return;
            }
            if (!r.isAlive()) {
                throw new AssertionError("sockperf ended before '" + text + "': " + r.finish(Duration.ofSeconds(1)).describe());
            }
        }
        throw new AssertionError("sockperf did not print '" + text + "' within " + timeout.toSeconds() + " s");
    }
}
