package dev.uloop.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.Backend;
import dev.uloop.LoopThread;
import dev.uloop.NativeException;
import dev.uloop.WallClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The network layer on one backend; each subclass names its backend. */
@Timeout(60)
public abstract class NetContract {
    protected abstract Backend backend();

    /** The loop's {@linkplain dev.uloop.EventLoop#spin spin}: none, unless a subclass runs the contract spinning. */
    protected Duration spin() {
        return Duration.ZERO;
    }

    LoopThread lt;
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @BeforeEach
    void start() {
        // Per test, not in @BeforeAll: Surefire reports tests skipped there as neither run nor skipped.
        assumeTrue(backend().isAvailable(),
                () -> backend() + " is not available here: " + backend().unavailableReason().orElse(""));
        lt = new LoopThread(backend());
        lt.loop().spin(spin());
    }

    @AfterEach
    void stop() throws Exception {
        if (lt != null) {
            lt.close();
        }
    }

    private TcpServer echoServer(List<Echo> made) {
        return lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(LOOPBACK, 0), () -> {
            Echo e = new Echo();
            synchronized (made) {
                made.add(e);
            }
            return e;
        }));
    }

    static Socket connect(InetSocketAddress a) throws IOException {
        Socket s = new Socket(a.getAddress(), a.getPort());
        s.setSoTimeout(20_000);
        return s;
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes everything on another thread while reading everything back here. */
    private static byte[] roundTrip(Socket s, byte[] data) throws Exception {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = s.getOutputStream();
                out.write(data);
                out.flush();
                s.shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] back = s.getInputStream().readAllBytes();
        writer.get(20, TimeUnit.SECONDS);
        return back;
    }

    @Test
    void echoesOneMebibyteByteExact() throws Exception {
        List<Echo> made = new ArrayList<>();
        TcpServer server = echoServer(made);
        byte[] data = random(1 << 20, 1);
        try (Socket s = connect(server.localAddress())) {
            assertArrayEquals(data, roundTrip(s, data));
        }
        assertNull(made.get(0).lost.get(10, TimeUnit.SECONDS), "clean close");
        assertEquals(0, (int) lt.call(server::connectionCount));
        // Every byte was received and written once, read here from another thread than the loop's.
        assertEquals(1 << 20, server.bytesReceived(), "bytes received");
        assertEquals(1 << 20, server.bytesWritten(), "bytes written");
    }

    @Test
    void aProtocolThatThrowsAnErrorIsLoggedAndTheLoopGoesOn() throws Exception {
        // The same on every backend: on io_uring-completion an Error used to end run().
        java.util.concurrent.CountDownLatch threw = new java.util.concurrent.CountDownLatch(1);
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(LOOPBACK, 0), () ->
                new Echo() {
                    @Override
                    public void dataReceived(ByteBuffer data) {
                        if (data.get(data.position()) == '!') {
                            threw.countDown();
                            throw new AssertionError("thrown by the protocol");
                        }
                        super.dataReceived(data);
                    }
                }));
        List<java.util.logging.LogRecord> logged = dev.uloop.LogCapture.capture("uloop.EventLoop",
                java.util.logging.Level.INFO, () -> {
                    try (Socket bad = connect(server.localAddress())) {
                        bad.getOutputStream().write('!');
                        assertTrue(threw.await(10, TimeUnit.SECONDS), "the protocol was not called");
                        try (Socket good = connect(server.localAddress())) {
                            good.getOutputStream().write("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                            assertArrayEquals("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                                    good.getInputStream().readNBytes(5), "the loop goes on serving");
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
        assertTrue(logged.stream().anyMatch(r -> r.getLevel() == java.util.logging.Level.SEVERE
                && r.getThrown() instanceof AssertionError
                && "thrown by the protocol".equals(r.getThrown().getMessage())), "logged: " + logged);
    }

    /** Echoes, pausing its reading after every chunk and resuming it on the next loop iteration. */
    static final class StopAndGoEcho implements Protocol {
        Transport t;
        volatile boolean readWhilePaused;
        private boolean paused;
        final CompletableFuture<Throwable> lost = new CompletableFuture<>();

        @Override
        public void connectionMade(Transport transport) {
            t = transport;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            if (paused) {
                readWhilePaused = true;
            }
            t.write(data);
            paused = true;
            t.pauseReading();
            t.loop().execute(() -> {
                paused = false;
                t.resumeReading();
            });
        }

        @Override
        public boolean eofReceived() {
            if (paused) {
                readWhilePaused = true;
            }
            t.close();
            return true;
        }

        @Override
        public void connectionLost(Throwable cause) {
            lost.complete(cause);
        }
    }

    @Test
    void pausingAndResumingReadingAfterEveryChunkLosesAndReordersNothing() throws Exception {
        List<StopAndGoEcho> made = new ArrayList<>();
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(LOOPBACK, 0), () -> {
            StopAndGoEcho e = new StopAndGoEcho();
            synchronized (made) {
                made.add(e);
            }
            return e;
        }));
        byte[] data = random(1 << 20, 7);
        try (Socket s = connect(server.localAddress())) {
            assertArrayEquals(data, roundTrip(s, data));
        }
        StopAndGoEcho e = made.get(0);
        assertNull(e.lost.get(10, TimeUnit.SECONDS), "clean close");
        assertTrue(!e.readWhilePaused, "data or EOF was delivered while reading was paused");
    }

    @Test
    void manySmallWritesPerChunkGoOutInOrder() throws Exception {
        // Each chunk is echoed as slices of 100 bytes or less, alternating byte arrays and
        // buffers: the writes pile up behind the ones in flight and must leave in order.
        CompletableFuture<Throwable> lost = new CompletableFuture<>();
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(LOOPBACK, 0), () ->
                new Protocol() {
                    Transport t;
                    int n;

                    @Override
                    public void connectionMade(Transport transport) {
                        t = transport;
                    }

                    @Override
                    public void dataReceived(ByteBuffer data) {
                        while (data.hasRemaining()) {
                            int len = Math.min(100, data.remaining());
                            if (n++ % 2 == 0) {
                                byte[] b = new byte[len];
                                data.get(b);
                                t.write(b);
                            } else {
                                t.write(data.slice(data.position(), len));
                                data.position(data.position() + len);
                            }
                        }
                    }

                    @Override
                    public void connectionLost(Throwable cause) {
                        lost.complete(cause);
                    }
                }));
        byte[] data = random(1 << 20, 11);
        try (Socket s = connect(server.localAddress())) {
            assertArrayEquals(data, roundTrip(s, data));
        }
        assertNull(lost.get(10, TimeUnit.SECONDS), "clean close");
    }

    @Test
    void inputWaitsWhileReadingIsPausedAndArrivesWholeOnResume() throws Exception {
        CompletableFuture<Transport> made = new CompletableFuture<>();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        AtomicLong beforeResume = new AtomicLong();
        AtomicReference<Boolean> resumed = new AtomicReference<>(false);
        CompletableFuture<byte[]> atEof = new CompletableFuture<>();
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(LOOPBACK, 0), () ->
                new Protocol() {
                    @Override
                    public void connectionMade(Transport transport) {
                        transport.pauseReading();
                        made.complete(transport);
                    }

                    @Override
                    public void dataReceived(ByteBuffer data) {
                        if (!resumed.get()) {
                            beforeResume.addAndGet(data.remaining());
                        }
                        byte[] b = new byte[data.remaining()];
                        data.get(b);
                        got.writeBytes(b);
                    }

                    @Override
                    public boolean eofReceived() {
                        atEof.complete(got.toByteArray());
                        return false;
                    }
                }));
        byte[] data = random(48 * 1024, 9);     // fits in loopback socket buffers: the write completes unread
        try (Socket s = connect(server.localAddress())) {
            Transport t = made.get(10, TimeUnit.SECONDS);
            s.getOutputStream().write(data);
            s.shutdownOutput();
            // One more loop iteration with the data in the server's socket, still paused.
            lt.call(() -> t.writeBufferSize());
            lt.run(() -> {
                resumed.set(true);
                t.resumeReading();
            });
            assertArrayEquals(data, atEof.get(10, TimeUnit.SECONDS));
            assertEquals(0, beforeResume.get(), "bytes delivered while reading was paused");
            assertEquals(-1, s.getInputStream().read(), "closed after EOF");
        }
    }

    @Test
    void fiveHundredConcurrentClientsEachGetTheirOwnBytes() throws Exception {
        TcpServer server = echoServer(new ArrayList<>());
        int n = 500;
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(connect(server.localAddress()));
            }
            for (int i = 0; i < n; i++) {
                sockets.get(i).getOutputStream().write(random(2000, i));
            }
            for (int i = 0; i < n; i++) {
                byte[] back = sockets.get(i).getInputStream().readNBytes(2000);
                assertArrayEquals(random(2000, i), back, "client " + i);
            }
            assertEquals(n, (int) lt.call(server::connectionCount));
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void cancellingAConnectThatIsStillUnderWayClosesItsSocket() throws Exception {
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 10, LOOPBACK)) {
            listener.setSoTimeout(10_000);
            AtomicReference<Boolean> made = new AtomicReference<>(false);
            // Connect and cancel in one loop task: the connect cannot finish in between.
            CompletableFuture<TcpConnection> f = lt.call(() -> {
                CompletableFuture<TcpConnection> c = Tcp.connect(lt.loop(),
                        new InetSocketAddress(LOOPBACK, listener.getLocalPort()), new Protocol() {
                            @Override
                            public void connectionMade(Transport transport) {
                                made.set(true);
                            }

                            @Override
                            public void dataReceived(ByteBuffer data) {
                            }
                        });
                c.cancel(false);
                return c;
            });
            assertTrue(f.isCancelled(), "the connect finished at once; nothing to cancel");
            try (Socket accepted = listener.accept()) {
                accepted.setSoTimeout(10_000);
                assertEquals(-1, accepted.getInputStream().read(), "the cancelled socket was closed");
            }
            lt.run(() -> { });     // one more iteration: a stale OUT event must not revive it
            assertTrue(!made.get(), "connectionMade after cancel");
        }
    }

    @Test
    void halfCloseFlushesThenCloses() throws Exception {
        List<Echo> made = new ArrayList<>();
        AtomicReference<Transport> seen = new AtomicReference<>();
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(LOOPBACK, 0), () ->
                new Protocol() {
                    Transport t;
                    final ByteArrayOutputStream got = new ByteArrayOutputStream();

                    @Override
                    public void connectionMade(Transport transport) {
                        t = transport;
                        seen.set(t);
                    }

                    @Override
                    public void dataReceived(ByteBuffer data) {
                        byte[] b = new byte[data.remaining()];
                        data.get(b);
                        got.writeBytes(b);
                    }

                    @Override
                    public boolean eofReceived() {
                        // The peer is done sending; we still answer, then close.
                        t.write(("got " + got.size() + " bytes").getBytes());
                        t.close();
                        return true;
                    }
                }));
        try (Socket s = connect(server.localAddress())) {
            s.getOutputStream().write(new byte[12345]);
            s.shutdownOutput();
            assertEquals("got 12345 bytes", new String(s.getInputStream().readAllBytes()));
        }
        assertNotNull(seen.get());
    }

    @Test
    void peerResetInTheMiddleOfALargeWriteIsReportedAndTheLoopGoesOn() throws Exception {
        CompletableFuture<Throwable> lost = new CompletableFuture<>();
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(LOOPBACK, 0), () ->
                new Protocol() {
                    @Override
                    public void connectionMade(Transport t) {
                        t.write(new byte[8 << 20]);        // far more than the socket buffers
                    }

                    @Override
                    public void dataReceived(ByteBuffer data) {
                    }

                    @Override
                    public void connectionLost(Throwable cause) {
                        lost.complete(cause);
                    }
                }));
        try (Socket s = connect(server.localAddress())) {
            s.getInputStream().readNBytes(100_000);
            s.setSoLinger(true, 0);                         // close with a reset
        }
        Throwable cause = lost.get(10, TimeUnit.SECONDS);
        SocketException se = assertInstanceOf(SocketException.class, cause);
        NativeException e = assertInstanceOf(NativeException.class, se.getCause());
        assertTrue(e.errnoName().equals("ECONNRESET") || e.errnoName().equals("EPIPE"), e.getMessage());
        assertTrue(se.getMessage().matches("(recv|send)\\(127\\.0\\.0\\.1:\\d+\\): (ECONNRESET|EPIPE) \\(.*\\)"),
                se.getMessage());
        assertEquals(0, (int) lt.call(server::connectionCount));
        // The server still serves others.
        try (Socket s = connect(server.localAddress())) {
            assertEquals(1 << 20, s.getInputStream().readNBytes(1 << 20).length);
        }
    }

    @Test
    void slowReaderKeepsServerMemoryUnderTheWaterMarkAndLosesNothing() throws Exception {
        List<Echo> made = new ArrayList<>();
        TcpServer server = echoServer(made);
        byte[] data = random(8 << 20, 7);
        try (Socket s = connect(server.localAddress())) {
            s.setReceiveBufferSize(64 * 1024);
            // Write without reading until the server stops reading us (our writes block).
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    s.getOutputStream().write(data);
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Echo echo = waitFor(made);
            while (echo.pauses == 0) {
                Thread.onSpinWait();       // the queue passes the high-water mark: reading pauses
            }
            byte[] back = s.getInputStream().readAllBytes();
            writer.get(20, TimeUnit.SECONDS);
            assertArrayEquals(data, back);
            // At most the high-water mark plus one event's reads (4 x 64 KiB) is ever queued.
            assertTrue(echo.maxQueued.get() <= Transport.DEFAULT_HIGH_WATER + 64 * 1024 * 4,
                    "queued up to " + echo.maxQueued.get() + " bytes");
        }
    }

    private static Echo waitFor(List<Echo> made) {
        while (true) {
            synchronized (made) {
                if (!made.isEmpty()) {
                    return made.get(0);
                }
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void closeWithUnreadInputStillDeliversEverythingThenEof() throws Exception {
        // The server answers and closes while the client is still sending: without a
        // lingering close the kernel would reset the connection and drop the answer.
        byte[] answer = random(2 << 20, 3);
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(LOOPBACK, 0), () ->
                new Protocol() {
                    Transport t;

                    @Override
                    public void connectionMade(Transport transport) {
                        t = transport;
                    }

                    @Override
                    public void dataReceived(ByteBuffer data) {
                        t.write(answer);
                        t.close();
                    }
                }));
        try (Socket s = connect(server.localAddress())) {
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int i = 0; i < 64; i++) {
                        out.write(new byte[16 * 1024]);
                    }
                    s.shutdownOutput();
                } catch (IOException e) {
                    // the server may finish before we do; that is fine
                }
            });
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
                if (got.size() % (256 * 1024) < 8192) {
                    Thread.sleep(5);            // read slowly, so the close happens with input unread
                }
            }
            assertArrayEquals(answer, got.toByteArray());
            sender.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyByteValueSurvives() throws Exception {
        TcpServer server = echoServer(new ArrayList<>());
        byte[] all = new byte[256 * 64];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        try (Socket s = connect(server.localAddress())) {
            assertArrayEquals(all, roundTrip(s, all));
        }
    }

    @Test
    void abortResetsThePeer() throws Exception {
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(LOOPBACK, 0), () ->
                new Protocol() {
                    Transport t;

                    @Override
                    public void connectionMade(Transport transport) {
                        t = transport;
                    }

                    @Override
                    public void dataReceived(ByteBuffer data) {
                        t.abort();
                    }
                }));
        try (Socket s = connect(server.localAddress())) {
            s.getOutputStream().write(1);
            SocketException e = assertThrows(SocketException.class, () -> s.getInputStream().read());
            assertTrue(e.getMessage().contains("reset"), e.getMessage());
        }
    }

    @Test
    void portInUseSaysSo() {
        TcpServer first = echoServer(new ArrayList<>());
        RuntimeException e = assertThrows(RuntimeException.class, () -> lt.call(() ->
                TcpServer.listen(lt.loop(), first.localAddress(), Echo::new)));
        BindException be = assertInstanceOf(BindException.class, e.getCause());
        assertEquals(Addresses.format(first.localAddress()) + " is already in use", be.getMessage());
    }

    @Test
    void ipv6OnLoopback() throws Exception {
        InetSocketAddress any6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), any6, Echo::new));
        assertTrue(Addresses.format(server.localAddress()).startsWith("[::1]:"), server.toString());
        try (Socket s = connect(server.localAddress())) {
            assertArrayEquals("over v6".getBytes(), roundTrip(s, "over v6".getBytes()));
        }
    }

    @Test
    void connectFromTheLoopAndRefusal() throws Exception {
        TcpServer server = echoServer(new ArrayList<>());
        CompletableFuture<String> reply = new CompletableFuture<>();
        lt.run(() -> Tcp.connect(lt.loop(), server.localAddress(), new Protocol() {
            Transport t;

            @Override
            public void connectionMade(Transport transport) {
                t = transport;
                t.write("ping".getBytes());
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                reply.complete(new String(b));
                t.close();
            }
        }));
        assertEquals("ping", reply.get(10, TimeUnit.SECONDS));

        InetSocketAddress closed = server.localAddress();
        lt.run(server::close);
        CompletableFuture<TcpConnection> refused = lt.call(() -> Tcp.connect(lt.loop(), closed, new Echo()));
        ExecutionException e = assertThrows(ExecutionException.class, () -> refused.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().endsWith("ECONNREFUSED (Connection refused)"), e.getCause().getMessage());
    }

    @Test
    void aRefusedConnectIsAConnectExceptionThatNamesTheAddressAndKeepsTheErrno() throws Exception {
        InetSocketAddress closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, LOOPBACK)) {
            closed = new InetSocketAddress(LOOPBACK, s.getLocalPort());
        }
        CompletableFuture<TcpConnection> f = lt.call(() -> Tcp.connect(lt.loop(), closed, new Echo()));
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        java.net.ConnectException ce = assertInstanceOf(java.net.ConnectException.class, e.getCause());
        assertEquals("connect(" + Addresses.format(closed) + "): ECONNREFUSED (Connection refused)", ce.getMessage());
        NativeException ne = assertInstanceOf(NativeException.class, ce.getCause());
        assertEquals("ECONNREFUSED", ne.errnoName());
    }

    @Test
    void aConnectThatTakesTooLongTimesOutAndLetsGoOfItsSocket() throws Exception {
        // A listener that accepts nothing: once its backlog is full, further SYNs are dropped.
        try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, LOOPBACK)) {
            InetSocketAddress at = new InetSocketAddress(LOOPBACK, full.getLocalPort());
            CompletableFuture<TcpConnection> timedOut = null;
            int registeredBefore = 0;
            for (int i = 0; i < 8 && timedOut == null; i++) {
                registeredBefore = lt.call(() -> lt.loop().stats().registeredFds());
                CompletableFuture<TcpConnection> c = lt.call(() ->
                        Tcp.connect(lt.loop(), at, java.time.Duration.ofMillis(300), new Echo()));
                try {
                    c.get(10, TimeUnit.SECONDS);     // the backlog still took this one
                } catch (ExecutionException e) {
                    timedOut = c;
                }
            }
            assertNotNull(timedOut, "every connect was taken by the backlog");
            ExecutionException e = assertThrows(ExecutionException.class, timedOut::get);
            java.net.SocketTimeoutException te = assertInstanceOf(java.net.SocketTimeoutException.class, e.getCause());
            assertEquals("connect(" + Addresses.format(at) + "): no connection within 300 ms", te.getMessage());
            int before = registeredBefore;
            assertEquals(before, (int) lt.call(() -> lt.loop().stats().registeredFds()),
                    "the timed-out socket is no longer watched");
        }
    }

    @Test
    void aConnectCanBindItsLocalAddressFirst() throws Exception {
        List<Echo> made = new ArrayList<>();
        TcpServer server = echoServer(made);
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, LOOPBACK)) {
            port = probe.getLocalPort();     // a port that was free a moment ago
        }
        InetSocketAddress local = new InetSocketAddress(LOOPBACK, port);
        CompletableFuture<Transport> client = new CompletableFuture<>();
        lt.run(() -> Tcp.connect(lt.loop(), server.localAddress(), local, java.time.Duration.ofSeconds(5),
                Protocols.onConnect(client::complete).get()));
        Transport t = client.get(10, TimeUnit.SECONDS);
        assertEquals(local, lt.call(t::localAddress));
        lt.run(t::close);
    }

    @Test
    void writeConsumesItsBufferAndWhenSentCompletesOnceTheBytesHaveLeft() throws Exception {
        byte[] big = random(4 << 20, 9);
        CompletableFuture<int[]> afterWrite = new CompletableFuture<>();
        CompletableFuture<Long> queuedWhenSent = new CompletableFuture<>();
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(LOOPBACK, 0),
                Protocols.onConnect(t -> {
                    ByteBuffer b = ByteBuffer.wrap(big);
                    t.write(b);
                    afterWrite.complete(new int[] {b.position(), b.limit()});
                    t.whenSent().thenRun(() -> {
                        queuedWhenSent.complete(t.writeBufferSize());
                        t.close();
                    });
                })));
        try (Socket s = connect(server.localAddress())) {
            assertArrayEquals(big, s.getInputStream().readAllBytes());
        }
        assertArrayEquals(new int[] {big.length, big.length}, afterWrite.get(10, TimeUnit.SECONDS),
                "position moved to the limit");
        assertEquals(0L, queuedWhenSent.get(10, TimeUnit.SECONDS));
    }

    @Test
    void whenSentFailsWhenTheConnectionIsLostFirst() throws Exception {
        CompletableFuture<CompletableFuture<Void>> sent = new CompletableFuture<>();
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(LOOPBACK, 0),
                Protocols.onConnect(t -> {
                    t.write(new byte[16 << 20]);      // far more than the socket buffers
                    sent.complete(t.whenSent());
                })));
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(16 * 1024);        // a peer that cannot take much (loopback can take tens of MiB)
            s.setSoTimeout(20_000);
            s.connect(server.localAddress(), 10_000);
            s.getInputStream().readNBytes(1000);
            s.setSoLinger(true, 0);                   // reset, with most of it unsent
        }
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> sent.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS));
        assertInstanceOf(SocketException.class, e.getCause());
    }

    @Test
    void aProtocolCanBeWrittenAsLambdas() throws Exception {
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(LOOPBACK, 0),
                Protocols.onData((t, data) -> t.write(data))));
        byte[] data = random(100_000, 4);
        try (Socket s = connect(server.localAddress())) {
            assertArrayEquals(data, roundTrip(s, data));
        }
    }

    // ------------------------------------------------------------ allocation

    @Test
    @Tag("allocation")
    void tcpEchoAllocatesNothingPerMessageOnTheLoopThread() throws Exception {
        EchoAllocation.tcp(lt, LOOPBACK);
    }

    @Test
    @Tag("allocation")
    void udpEchoAllocatesNothingPerMessageOnTheLoopThread() throws Exception {
        EchoAllocation.udp(lt, LOOPBACK);
    }

    // ------------------------------------------------------------ UDP

    private UdpEndpoint udpEcho() {
        UdpEndpoint[] self = new UdpEndpoint[1];
        self[0] = lt.call(() -> UdpEndpoint.bind(lt.loop(), new InetSocketAddress(LOOPBACK, 0),
                (data, from) -> self[0].send(data, from)));
        return self[0];
    }

    @Test
    void udpEchoesZeroAndMaximumSizedDatagrams() throws Exception {
        UdpEndpoint e = udpEcho();
        try (DatagramSocket c = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            c.setSoTimeout(10_000);
            for (int size : new int[] {0, 1, 1472, 65507}) {
                byte[] out = random(size, size);
                c.send(new DatagramPacket(out, out.length, e.localAddress()));
                DatagramPacket in = new DatagramPacket(new byte[70_000], 70_000);
                c.receive(in);
                assertEquals(size, in.getLength(), "size " + size);
                assertArrayEquals(out, java.util.Arrays.copyOf(in.getData(), in.getLength()));
            }
        }
        assertEquals(4L, (long) lt.call(e::receivedCount));
        assertEquals(4L, (long) lt.call(e::sentCount));
    }

    @Test
    void udpManySendersAreTellApart() throws Exception {
        UdpEndpoint e = udpEcho();
        List<DatagramSocket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {          // more senders than the address cache has slots
                DatagramSocket c = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
                c.setSoTimeout(10_000);
                clients.add(c);
            }
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < clients.size(); i++) {
                    byte[] msg = ("client " + i).getBytes();
                    clients.get(i).send(new DatagramPacket(msg, msg.length, e.localAddress()));
                    DatagramPacket in = new DatagramPacket(new byte[100], 100);
                    clients.get(i).receive(in);
                    assertEquals("client " + i, new String(in.getData(), 0, in.getLength()));
                }
            }
        } finally {
            clients.forEach(DatagramSocket::close);
        }
    }

    @Test
    void udpReceiveTimestampsComeFromTheKernelAndPrecedeTheCallback() throws Exception {
        UdpEndpoint[] self = new UdpEndpoint[1];
        self[0] = lt.call(() -> UdpEndpoint.bind(lt.loop(), new InetSocketAddress(LOOPBACK, 0),
                new SocketOptions().reuseAddress(false).receiveTimestamps(true), (data, from) -> {
                    long now = WallClock.nanos();
                    ByteBuffer reply = ByteBuffer.allocate(16).putLong(self[0].receiveTimeNanos()).putLong(now).flip();
                    self[0].send(reply, from);
                }));
        assertTrue(self[0].hasReceiveTimestamps());
        try (DatagramSocket c = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            c.setSoTimeout(10_000);
            for (int i = 0; i < 5; i++) {
                long before = WallClock.nanos();
                c.send(new DatagramPacket(new byte[48], 48, self[0].localAddress()));
                DatagramPacket in = new DatagramPacket(new byte[16], 16);
                c.receive(in);
                long after = WallClock.nanos();
                ByteBuffer b = ByteBuffer.wrap(in.getData());
                long received = b.getLong();
                long callback = b.getLong();
                assertTrue(before <= received, "kernel stamp " + received + " before the send at " + before);
                assertTrue(received <= callback, "stamp " + received + " after the callback's clock " + callback);
                assertTrue(callback <= after, "callback " + callback + " after the reply arrived " + after);
            }
        }
    }

    @Test
    void udpWithoutTimestampsReadsTheClockWhenAsked() throws Exception {
        UdpEndpoint[] self = new UdpEndpoint[1];
        self[0] = lt.call(() -> UdpEndpoint.bind(lt.loop(), new InetSocketAddress(LOOPBACK, 0),
                (data, from) -> self[0].send(ByteBuffer.allocate(8).putLong(self[0].receiveTimeNanos()).flip(), from)));
        assertTrue(!self[0].hasReceiveTimestamps());
        try (DatagramSocket c = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            c.setSoTimeout(10_000);
            long before = WallClock.nanos();
            c.send(new DatagramPacket(new byte[1], 1, self[0].localAddress()));
            DatagramPacket in = new DatagramPacket(new byte[8], 8);
            c.receive(in);
            long t = ByteBuffer.wrap(in.getData()).getLong();
            assertTrue(before <= t && t <= WallClock.nanos(), "receive time " + t);
        }
    }

    @Test
    void udpPortInUseSaysSo() {
        UdpEndpoint first = udpEcho();
        RuntimeException e = assertThrows(RuntimeException.class, () -> lt.call(() ->
                UdpEndpoint.bind(lt.loop(), first.localAddress(), new SocketOptions().reuseAddress(false),
                        (d, f) -> { })));
        assertInstanceOf(BindException.class, e.getCause());
        assertTrue(e.getCause().getMessage().endsWith("is already in use"), e.getCause().getMessage());
    }

    static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }
}
