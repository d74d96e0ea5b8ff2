package dev.uloop.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.Backend;
import dev.uloop.EventLoopGroup;
import dev.uloop.LogCapture;
import dev.uloop.LoopThread;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Connection limits and the idle timeout of {@link TcpServer} and {@link TcpServerGroup},
 * on every backend, with JDK sockets as clients.
 */
@Timeout(60)
class LimitsTest {
    private static final InetAddress LOCAL = InetAddress.getLoopbackAddress();
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(LOCAL, 0);

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private LoopThread loop(Backend b) {
        assumeTrue(b.isAvailable(), () -> b + " is not available here");
        LoopThread lt = new LoopThread(b);
        open.add(lt);
        return lt;
    }

    private TcpServer server(LoopThread lt, SocketOptions options) {
        return lt.call(() -> TcpServer.listen(lt.loop(), ANY_PORT, options, () -> new Echo(false)));
    }

    private Socket client(InetAddress from, InetSocketAddress to) throws IOException {
        Socket s = new Socket();
        open.add(s);
        s.bind(new InetSocketAddress(from, 0));
        s.connect(to, 5_000);
        s.setSoTimeout(5_000);
        return s;
    }

    /** The connection echoes: it is served. */
    private static void assertServed(Socket s) throws IOException {
        byte[] out = {1, 2, 3};
        s.getOutputStream().write(out);
        byte[] in = s.getInputStream().readNBytes(3);
        assertArrayEquals(out, in, "echoed");
    }

    /** The server closes the connection without serving it (EOF or reset; never a timeout). */
    private static void assertRefused(Socket s) throws IOException {
        try {
            s.getOutputStream().write(7);
            int r = s.getInputStream().read();
            assertEquals(-1, r, "closed by the server, nothing echoed");
        } catch (SocketTimeoutException e) {
            fail("the connection over the limit is still open after 5 s");
        } catch (SocketException e) {
            // reset: closed with our byte unread
        }
    }

    private static void await(BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within 10 s: " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theConnectionOverTheLimitIsClosedAtOnceAndCounted(Backend b) throws Exception {
        LoopThread lt = loop(b);
        TcpServer server = server(lt, new SocketOptions().maxConnections(2));
        Socket first = client(LOCAL, server.localAddress());
        Socket second = client(LOCAL, server.localAddress());
        assertServed(first);
        assertServed(second);
        assertRefused(client(LOCAL, server.localAddress()));
        await(() -> server.refusedCount() == 1, "one refusal counted");
        assertServed(first);
        assertServed(second);
        assertEquals(2, server.acceptedCount());

        first.close();          // its slot comes back once the server saw it close
        await(() -> server.connectionCount() == 1, "the first connection closed");
        assertServed(client(LOCAL, server.localAddress()));
        assertEquals(1, server.refusedCount());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void thePerSourceLimitCountsEachClientAddress(Backend b) throws Exception {
        InetAddress other = InetAddress.getByName("127.0.0.2");
        LoopThread lt = loop(b);
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress("0.0.0.0", 0),
                new SocketOptions().maxConnectionsPerSource(1), () -> new Echo(false)));
        InetSocketAddress to = new InetSocketAddress(LOCAL, server.localAddress().getPort());
        Socket a = client(LOCAL, to);
        assertServed(a);
        assertRefused(client(LOCAL, to));
        Socket c = client(other, to);
        assertServed(c);
        assertRefused(client(other, to));
        await(() -> server.refusedCount() == 2, "two refusals counted");
        assertServed(a);
        assertServed(c);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anIdleConnectionIsClosedAndAnActiveOneStays(Backend b) throws Exception {
        LoopThread lt = loop(b);
        Duration timeout = Duration.ofMillis(300);
        TcpServer server = server(lt, new SocketOptions().idleTimeout(timeout));
        Socket idle = client(LOCAL, server.localAddress());
        Socket busy = client(LOCAL, server.localAddress());
        long start = System.nanoTime();
        // Active every 100 ms for 1.2 s, four timeouts: a byte each time, echoed.
        for (int i = 0; i < 12; i++) {
            assertServed(busy);
            Thread.sleep(100);      // pacing the client, not waiting for the server
        }
        assertEquals(-1, idle.getInputStream().read(), "the idle connection was closed");
        long closedAfter = (System.nanoTime() - start) / 1_000_000;
        assertTrue(closedAfter >= timeout.toMillis(), "closed after " + closedAfter + " ms");
        assertServed(busy);
        await(() -> server.idleClosedCount() == 1, "one idle close counted");
        assertEquals(1, server.connectionCount());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aPeerThatReadsNothingIsAbortedWhenTheQueueStopsMoving(Backend b) throws Exception {
        LoopThread lt = loop(b);
        TcpServer server = server(lt, new SocketOptions().idleTimeout(Duration.ofMillis(300)));
        Socket s = client(LOCAL, server.localAddress());
        s.setReceiveBufferSize(4096);
        OutputStream out = s.getOutputStream();
        byte[] chunk = new byte[64 * 1024];
        // Fill both directions until our writes block... bounded: stop after 32 MiB or a stall.
        Thread writer = Thread.ofPlatform().daemon().start(() -> {
            try {
                for (int i = 0; i < 512; i++) {
                    out.write(chunk);
                }
            } catch (IOException e) {
                // the server aborted us: expected
            }
        });
        await(() -> server.idleClosedCount() == 1, "the stuck connection closed by the idle timeout");
        writer.join(10_000);
        InputStream in = s.getInputStream();
        assertThrows(IOException.class, () -> {
            while (in.read(chunk) >= 0) {
                // drain what arrived before the reset
            }
            throw new IOException("EOF instead of a reset");
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aProtocolCanChangeItsConnectionsTimeout(Backend b) throws Exception {
        LoopThread lt = loop(b);
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), ANY_PORT,
                new SocketOptions().idleTimeout(Duration.ofMillis(200)), () -> new Echo(false) {
                    @Override
                    public void connectionMade(Transport transport) {
                        super.connectionMade(transport);
                        ((TcpConnection) transport).setIdleTimeout(null);
                    }
                }));
        Socket s = client(LOCAL, server.localAddress());
        s.setSoTimeout(1_000);
        assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read(), "still open after 1 s");
        assertServed(s);
        assertEquals(0, server.idleClosedCount());
    }

    /** With SO_REUSEPORT (a socket per loop) and with one acceptor handing connections over. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theLimitHoldsForAllTheLoopsOfAGroup(boolean socketPerLoop) throws Exception {
        EventLoopGroup group = EventLoopGroup.open(2, Backend.best(), "limits");
        open.add(group::close);
        TcpServerGroup server = TcpServerGroup.listen(group, ANY_PORT,
                new SocketOptions().maxConnections(3).reusePort(socketPerLoop), () -> new Echo(false));
        group.start();
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            clients.add(client(LOCAL, server.localAddress()));
        }
        int served = 0;
        for (Socket s : clients) {
            s.getOutputStream().write(9);
            try {
                if (s.getInputStream().read() == 9) {
                    served++;
                }
            } catch (SocketException e) {
                // refused with a reset
            }
        }
        assertEquals(3, served);
        await(() -> server.refusedCount() == 5, "five refusals counted");
        assertEquals(3, server.connectionCount());
    }

    @Test
    void badLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SocketOptions().maxConnections(-1));
        assertThrows(IllegalArgumentException.class, () -> new SocketOptions().maxConnectionsPerSource(-1));
        assertThrows(IllegalArgumentException.class, () -> new SocketOptions().idleTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new SocketOptions().idleTimeout(Duration.ofSeconds(-1)));
        assertNull(new SocketOptions().idleTimeout(null).idleTimeout);
    }

    /** A thousand refusals are one WARNING line (then at most one every 10 s), and all counted. */
    @Test
    void refusalsAreLoggedThroughTheThrottle() {
        ConnectionLimiter l = new ConnectionLimiter(1, 0);
        assertTrue(l.tryAcquire(LOCAL));
        List<java.util.logging.LogRecord> records = LogCapture.capture("uloop.net.TcpServer",
                java.util.logging.Level.ALL, () -> {
                    for (int i = 0; i < 1000; i++) {
                        assertEquals(false, l.tryAcquire(LOCAL));
                    }
                });
        assertEquals(1, records.size(), () -> records.stream().map(r -> r.getMessage()).toList().toString());
        assertEquals("refusing a connection: the limit of 1 open connections is reached", records.get(0).getMessage(),
                records.get(0).getMessage());
        assertEquals(1000, l.refusedOverTotalCount());
    }

    @Test
    void aLimiterForgetsSourcesWithoutConnections() {
        ConnectionLimiter l = new ConnectionLimiter(0, 2);
        InetAddress a = LOCAL;
        assertTrue(l.tryAcquire(a));
        assertTrue(l.tryAcquire(a));
        assertEquals(false, l.tryAcquire(a));
        assertTrue(l.tryAcquire(null));
        l.release(a);
        l.release(a);
        l.release(null);
        assertEquals(0, l.sourceCount());
        assertEquals(0, l.openCount());
        assertEquals(1, l.refusedOverSourceCount());
    }
}
