package dev.uloop.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
import dev.uloop.internal.backend.LoopEngines;
import dev.uloop.internal.uring.CompletionEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The network layer with io_uring completion-based socket I/O (skipped, with the reason,
 * where the kernel refuses io_uring or is older than 6.0), plus what only this mode has:
 * a ring that belongs to one thread.
 */
class IoUringCompletionNetTest extends NetContract {
    @Override
    protected Backend backend() {
        return Backend.IO_URING_COMPLETION;
    }

    /**
     * Completion mode's echo path allocates nothing per message on the loop thread, in
     * every window of a long run (the contract's {@code tcpEchoAllocatesNothingPerMessage...}
     * checks one window on every backend, also without escape analysis).
     */
    @Test
    void echoRoundTripsAllocateNothingOnTheLoopThread() throws Exception {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int warmup = 60_000;
        int window = 10_000;
        int windows = 8;
        long[] marks = new long[windows + 1];
        int[] count = new int[1];
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(LOOPBACK, 0), () ->
                new Echo() {
                    @Override
                    public void dataReceived(ByteBuffer data) {
                        super.dataReceived(data);
                        int n = ++count[0];
                        if (n >= warmup && (n - warmup) % window == 0 && (n - warmup) / window <= windows) {
                            marks[(n - warmup) / window] = mx.getCurrentThreadAllocatedBytes();
                        }
                    }
                }));
        try (Socket s = connect(server.localAddress())) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] msg = random(64, 3);
            byte[] back = new byte[64];
            for (int i = 0; i < warmup + window * windows; i++) {
                out.write(msg);
                int got = 0;
                while (got < 64) {
                    int r = in.read(back, got, 64 - got);
                    assertTrue(r > 0, "echo ended early");
                    got += r;
                }
            }
        }
        long quietest = Long.MAX_VALUE;
        long[] m = lt.call(() -> marks.clone());
        for (int k = 0; k < windows; k++) {
            assertTrue(m[k] > 0 && m[k + 1] > 0, "one callback per message expected; marks: " + java.util.Arrays.toString(m));
            quietest = Math.min(quietest, m[k + 1] - m[k]);
        }
        // One 16-byte object per message would be 160 KB per window.
        assertTrue(quietest < 4 * 1024, quietest + " bytes allocated on the loop thread in the quietest window of "
                + window + " echoed messages; marks: " + java.util.Arrays.toString(m));
    }

    /**
     * A pipelined stream (the client writes without waiting for the echo, so the server's
     * writes queue up behind the SEND in flight) allocates nothing on the loop thread either:
     * queued bytes wait in pooled native send buffers, not in heap copies. Each heap copy
     * would allocate about as much as the bytes echoed, 4 MiB per window.
     */
    @Test
    void pipelinedEchoAllocatesNothingOnTheLoopThread() throws Exception {
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long warmup = 32L << 20;
        long window = 4L << 20;
        int windows = 6;
        long total = warmup + window * (windows + 1);
        long[] marks = new long[windows + 1];
        long[] bytes = new long[1];
        long[] deepest = new long[1];
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(LOOPBACK, 0), () ->
                new Echo() {
                    @Override
                    public void dataReceived(ByteBuffer data) {
                        long before = bytes[0];
                        bytes[0] += data.remaining();
                        super.dataReceived(data);
                        deepest[0] = Math.max(deepest[0], t.writeBufferSize());
                        long k = (bytes[0] - warmup) / window;
                        if (bytes[0] >= warmup && k <= windows && (before < warmup || (before - warmup) / window < k)) {
                            marks[(int) k] = mx.getCurrentThreadAllocatedBytes();
                        }
                    }
                }));
        try (Socket s = connect(server.localAddress())) {
            byte[] chunk = random(64 * 1024, 5);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (long sent = 0; sent < total; sent += chunk.length) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            InputStream in = s.getInputStream();
            byte[] back = new byte[256 * 1024];
            for (long got = 0; got < total; ) {
                int r = in.read(back);
                assertTrue(r > 0, "echo ended early");
                got += r;
            }
            writer.get(30, TimeUnit.SECONDS);
        }
        long[] m = lt.call(() -> marks.clone());
        long queued = lt.call(() -> deepest[0]);
        assertTrue(queued > 2 * 16 * 1024, "the writes never queued past two send buffers (at most " + queued
                + " bytes): the test did not pipeline");
        long quietest = Long.MAX_VALUE;
        for (int k = 0; k < windows; k++) {
            assertTrue(m[k] > 0 && m[k + 1] > 0, "marks: " + java.util.Arrays.toString(m));
            quietest = Math.min(quietest, m[k + 1] - m[k]);
        }
        assertTrue(quietest < 64 * 1024, quietest + " bytes allocated on the loop thread in the quietest window of "
                + window + " pipelined bytes (at most " + queued + " queued); marks: " + java.util.Arrays.toString(m));
    }

    /** An echo server on {@code loop} whose first connection completes {@code made}. */
    private static TcpServer echo(EventLoop loop, CompletableFuture<Transport> made) throws Exception {
        return TcpServer.listen(loop, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), () -> {
            Echo e = new Echo(false);
            e.made.thenAccept(made::complete);
            return e;
        });
    }

    private static String roundTrip(Socket s, String text) throws Exception {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        byte[] back = new byte[text.length()];
        InputStream in = s.getInputStream();
        for (int got = 0; got < back.length; ) {
            int n = in.read(back, got, back.length - got);
            assertTrue(n > 0, "echo ended early");
            got += n;
        }
        return new String(back, StandardCharsets.US_ASCII);
    }

    /** {@link #roundTrip} on another thread, while this one runs the loop. */
    private static CompletableFuture<String> roundTripLater(Socket s, String text) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return roundTrip(s, text);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** Runs the loop on a new thread until {@code done} completes, then stops it; returns what run() threw. */
    private static Throwable runOnNewThread(EventLoop loop, CompletableFuture<?> done) throws Exception {
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                loop.run();
                ended.complete(null);
            } catch (Throwable e) {
                ended.complete(e);
            }
        });
        t.setDaemon(true);
        t.start();
        done.whenComplete((v, e) -> loop.stop());
        return ended.get(20, TimeUnit.SECONDS);
    }

    /**
     * Reading paused after every chunk, and the connection closed or aborted in the middle of
     * delivering what arrived while it was paused: every receive buffer goes back to the ring
     * exactly once (one handed back twice could be filled for two receives at once).
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void buffersComeBackOnceWhenAConnectionEndsWithChunksStashed(boolean abort) throws Exception {
        int limit = 256 * 1024;
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(LOOPBACK, 0), () ->
                new Protocol() {
                    Transport t;
                    long got;

                    @Override
                    public void connectionMade(Transport transport) {
                        t = transport;
                    }

                    @Override
                    public void dataReceived(ByteBuffer data) {
                        got += data.remaining();
                        if (got >= limit) {
                            if (abort) {
                                t.abort();
                            } else {
                                t.close();
                            }
                            return;
                        }
                        t.pauseReading();
                        t.loop().execute(t::resumeReading);
                    }
                }));
        for (int c = 0; c < 8; c++) {
            try (Socket s = connect(server.localAddress())) {
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        s.getOutputStream().write(random(1 << 20, 5));
                    } catch (java.io.IOException e) {
                        // the server closed or reset: expected
                    }
                });
                try {
                    s.getInputStream().readAllBytes();
                } catch (java.net.SocketException e) {
                    // reset by abort(): expected
                }
                writer.get(20, TimeUnit.SECONDS);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lt.call(server::connectionCount) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, (int) lt.call(server::connectionCount));
        assertEquals(0, (int) lt.call(() -> ((CompletionEngine) LoopEngines.sockets(lt.loop())).heldBuffers()),
                "receive buffers not handed back exactly once");
    }

    @Test
    void aLoopWithOpenConnectionsKeepsItsThreadAndSaysSoOtherwise() throws Exception {
        assumeTrue(backend().isAvailable());
        EventLoop loop = EventLoop.open(backend());
        try {
            CompletableFuture<Transport> made = new CompletableFuture<>();
            TcpServer server = echo(loop, made);       // set up on this thread, before the loop runs
            try (Socket s = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
                s.setSoTimeout(10_000);
                CompletableFuture<String> echoed = roundTripLater(s, "first");
                assertEquals(null, runOnNewThread(loop, echoed));    // the ring is enabled on the loop's thread
                assertEquals("first", echoed.get());
                // The receive of the open connection is in flight on this ring: another thread cannot take it.
                Throwable e = runOnNewThread(loop, CompletableFuture.completedFuture(null));
                assertTrue(e instanceof IllegalStateException, String.valueOf(e));
                assertTrue(e.getMessage().contains("cannot change threads"), e.getMessage());
            }
        } finally {
            loop.close();    // from another thread than the ring's, with requests in flight: no crash
        }
    }

    @Test
    void anIdleLoopMovesToANewThread() throws Exception {
        assumeTrue(backend().isAvailable());
        try (EventLoop loop = EventLoop.open(backend())) {
            assertEquals(null, runOnNewThread(loop, CompletableFuture.completedFuture(null)));
            CompletableFuture<Transport> made = new CompletableFuture<>();
            TcpServer server = echo(loop, made);
            try (Socket s = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
                s.setSoTimeout(10_000);
                CompletableFuture<String> echoed = roundTripLater(s, "second thread");
                assertEquals(null, runOnNewThread(loop, echoed));
                assertEquals("second thread", echoed.get());
            }
        }
    }
}
