package dev.uloop.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
import dev.uloop.net.Protocol;
import dev.uloop.net.TcpServer;
import dev.uloop.net.Transport;
import dev.uloop.net.UdpEndpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class LoadGeneratorTest {
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** Runs {@code setup} on a fresh loop thread and returns the address it reports. */
    private static <T> T onLoop(EventLoop loop, java.util.concurrent.Callable<T> setup) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(setup.call());
            } catch (Exception e) {
                f.completeExceptionally(e);
            }
        });
        return f.get(10, TimeUnit.SECONDS);
    }

    private static LoadSpec spec(InetSocketAddress target, boolean udp, int conns, int idle, int depth, boolean sockperf) {
        return new LoadSpec(target, udp, conns, idle, 64, depth, Duration.ofMillis(200), Duration.ofMillis(600),
                5000, sockperf, ProcessHandle.current().pid(), Backend.best());
    }

    /** An echo server that flips one bit of the first byte of the n-th reply (to prove checking). */
    private static Protocol echo(int corruptAfter) {
        return new Protocol() {
            Transport t;
            int seen;

            @Override
            public void connectionMade(Transport transport) {
                t = transport;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                if (++seen == corruptAfter) {
                    data.put(data.position(), (byte) (data.get(data.position()) ^ 0x10));
                }
                t.write(data);
            }
        };
    }


    @Test
    void tcpPingPongAndPipelinedWithIdleConnectionsHaveNoErrors() throws Exception {
        try (EventLoop loop = EventLoop.open()) {
            Thread t = new Thread(loop::run);
            t.start();
            TcpServer server = onLoop(loop, () -> TcpServer.listen(loop, ANY, () -> echo(-1)));
            BenchResult r = new LoadGenerator(spec(server.localAddress(), false, 8, 20, 1, false)).run("x", s -> { });
            assertEquals(0, r.errors());
            assertTrue(r.messages() > 0, r.toString());
            assertTrue(r.p50() > 0 && r.p99() >= r.p50(), r.toString());
            assertTrue(r.serverCpuNanos() >= 0, "CPU of a live pid is readable");
            BenchResult p = new LoadGenerator(spec(server.localAddress(), false, 4, 0, 8, false)).run("x", s -> { });
            assertEquals(0, p.errors());
            assertTrue(p.messages() > 0);
            loop.stop();
            t.join(5000);
        }
    }

    @Test
    void aWrongReplyByteIsCounted() throws Exception {
        try (EventLoop loop = EventLoop.open()) {
            Thread t = new Thread(loop::run);
            t.start();
            TcpServer server = onLoop(loop, () -> TcpServer.listen(loop, ANY, () -> echo(50)));
            BenchResult r = new LoadGenerator(spec(server.localAddress(), false, 2, 0, 1, false)).run("x", s -> { });
            assertEquals(2, r.errors(), "one corrupted reply per connection");
            loop.stop();
            t.join(5000);
        }
    }

    @Test
    void udpEchoHasNoErrors() throws Exception {
        try (EventLoop loop = EventLoop.open()) {
            Thread t = new Thread(loop::run);
            t.start();
            UdpEndpoint[] e = new UdpEndpoint[1];
            e[0] = onLoop(loop, () -> UdpEndpoint.bind(loop, ANY, (data, from) -> e[0].send(data, from)));
            BenchResult r = new LoadGenerator(spec(e[0].localAddress(), true, 8, 0, 2, false)).run("x", s -> { });
            assertEquals(0, r.errors());
            assertTrue(r.messages() > 0);
            loop.stop();
            t.join(5000);
        }
    }

    @Test
    void refusedConnectionsFailWithTheReason() {
        InetSocketAddress closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new LoadGenerator(spec(closed, false, 2, 0, 1, false)).run("x", s -> { }));
        assertTrue(e.getMessage().contains("ECONNREFUSED"), e.getMessage());
    }

    @Test
    void sockperfRepliesMayClearTheClientBitOnly() {
        Payload p = new Payload(64, true);
        assertEquals(0x03, p.sent(1, 7, 9));                 // CLIENT | PONG_REQUEST
        assertTrue(p.matches(1, 7, 9, (byte) 0x02));          // the server cleared CLIENT
        assertTrue(p.matches(1, 7, 9, (byte) 0x03));
        assertTrue(!p.matches(1, 7, 9, (byte) 0x01));         // PONG_REQUEST must stay
        assertEquals(7, p.sent(1, 7, 7));                     // sequence, big-endian
        assertEquals(64, p.sent(1, 7, 13));                   // length, big-endian
        ByteBuffer b = ByteBuffer.allocate(64);
        p.fill(b, 1, 7);
        assertEquals(7, Payload.sequenceOf(b));
    }

    @Test
    void specRangesAreChecked() {
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", 7);
        assertThrows(IllegalArgumentException.class, () -> spec(a, false, 0, 0, 1, false));
        assertThrows(IllegalArgumentException.class, () -> spec(a, false, 10_001, 0, 1, false));
        assertThrows(IllegalArgumentException.class, () -> spec(a, true, 1, 5, 1, false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LoadSpec(a, false, 1, 0, 10, 1, Duration.ofSeconds(1), Duration.ofSeconds(1), 10, true, 0,
                        Backend.best()));
        assertTrue(e.getMessage().contains("14"), e.getMessage());
    }

    @Test
    void outputFormats() {
        BenchResult r = new BenchResult("uloop, epoll", "tcp", 64, 0, 64, 1, 2.0, 200_000, 0, 300, 400, 900, 2000,
                5000, 1_000_000_000L);
        assertEquals(100_000, r.msgsPerSec(), 1e-9);
        assertEquals(5.0, r.serverCpuUsPerMsg(), 1e-9);
        String csv = BenchResult.csv(List.of(r));
        assertTrue(csv.startsWith("label,transport,connections"), csv);
        assertTrue(csv.contains("\"uloop, epoll\",tcp,64,0,64,1,2.000,200000,100000.000"), csv);
        String json = BenchResult.json(List.of(r));
        assertTrue(json.contains("\"msgs_per_sec\": 100000.000"), json);
        assertTrue(BenchResult.table(List.of(r)).contains("100,000"));
    }

    /** No percentile before there are measured round trips: a p99 of 0 us would read as one. */
    @Test
    void theProgressLineShowsAPercentileOnlyOnceMeasured() {
        assertEquals("[warm-up] 41,235 msgs/s, errors 0", LoadGenerator.progressLine("warm-up", 41234.6, -1, 0));
        assertEquals("[measuring 2/5s] 90,000 msgs/s, p99 42 us, errors 3",
                LoadGenerator.progressLine("measuring 2/5s", 90000, 41.7, 3));
    }
}
