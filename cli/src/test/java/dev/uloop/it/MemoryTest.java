package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.it.UloopServer.Mode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a server's memory does under load, on the launcher's default heap: pipelining
 * 200 MB through echo (the client writes without waiting for the echo) grows the resident
 * set of io_uring-completion about as little as epoll's. It used to grow by 70-100 MB
 * there (a heap copy of every write queued behind the SEND in flight), against 1-2 MB on
 * epoll. Memory is compared, not time.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MemoryTest {
    private static final long TOTAL = 200L << 20;
    private static final int CONNECTIONS = 4;
    /** Allowed growth beyond epoll's: the 8 MiB receive-buffer ring the kernel fills, and slack. */
    private static final long SLACK = 32L << 20;

    @Test
    void pipelinedEchoGrowsCompletionModeAboutAsLittleAsEpoll() throws Exception {
        Mode.IO_URING_COMPLETION_2_LOOPS.assumeAvailable();
        long epoll = growth("--backend", "epoll");
        long completion = growth("--backend", "io_uring-completion");
        System.out.printf("[MemoryTest] %d MB pipelined through echo: RSS grew %,d KiB on epoll, %,d KiB on "
                + "io_uring-completion%n", TOTAL >> 20, epoll >> 10, completion >> 10);
        assertTrue(completion < epoll + SLACK, () -> "io_uring-completion grew by " + (completion >> 10)
                + " KiB, epoll by " + (epoll >> 10) + " KiB");
    }

    /** The server's resident set after pipelining TOTAL bytes through it, minus before. */
    private static long growth(String... backend) throws Exception {
        String[] args = new String[backend.length + 4];
        System.arraycopy(new String[] {"echo", "--port", "0", "--tcp"}, 0, args, 0, 4);
        System.arraycopy(backend, 0, args, 4, backend.length);
        try (UloopServer s = UloopServer.start(args)) {
            pipeline(s, CONNECTIONS, 1L << 20);     // warms up the JIT and the heap's first regions
            long before = rss(s.pid());
            pipeline(s, CONNECTIONS, TOTAL / CONNECTIONS);
            long after = rss(s.pid());
            s.assertAlive();
            return after - before;
        }
    }

    /** Pipelines {@code perConnection} bytes through each of {@code n} connections at once. */
    private static void pipeline(UloopServer s, int n, long perConnection) throws Exception {
        // Threads of its own: the common pool may have a single thread on a small machine.
        try (ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().factory())) {
            pipeline(s, n, perConnection, threads);
        }
    }

    private static void pipeline(UloopServer s, int n, long perConnection, ExecutorService threads) throws Exception {
        CompletableFuture<?>[] all = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            all[i] = CompletableFuture.runAsync(() -> {
                try (Socket c = new Socket()) {
                    c.connect(s.tcp(), 5_000);
                    c.setSoTimeout(20_000);
                    byte[] chunk = new byte[64 * 1024];
                    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                        try {
                            OutputStream out = c.getOutputStream();
                            for (long sent = 0; sent < perConnection; sent += chunk.length) {
                                out.write(chunk);
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, threads);
                    InputStream in = c.getInputStream();
                    byte[] back = new byte[256 * 1024];
                    long got = 0;
                    for (int r; got < perConnection && (r = in.read(back)) > 0; ) {
                        got += r;
                    }
                    writer.get(60, TimeUnit.SECONDS);
                    assertEquals(perConnection, got, "bytes echoed");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
        }
        CompletableFuture.allOf(all).get(2, TimeUnit.MINUTES);
    }

    private static long rss(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
    }
}
