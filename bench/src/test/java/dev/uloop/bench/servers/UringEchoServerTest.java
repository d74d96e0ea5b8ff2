package dev.uloop.bench.servers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The io_uring completion-mode echo server, in-process on port 0; skipped where the kernel cannot run it. */
@Timeout(20)
class UringEchoServerTest {
    @BeforeEach
    void needsKernel() {
        String why = UringEchoServer.unsupportedReason();
        Assumptions.assumeTrue(why == null, () -> "io_uring completion mode: " + why);
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
        s.setSoTimeout(5_000);
        s.setTcpNoDelay(true);
        return s;
    }

    @Test
    void roundTripsOnSeveralConnections() throws Exception {
        try (UringEchoServer server = new UringEchoServer()) {
            int port = server.start(0, true);
            assertTrue(port > 0, "bound port");
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    clients.add(connect(port));
                }
                for (int round = 0; round < 50; round++) {
                    for (int i = 0; i < clients.size(); i++) {
                        clients.get(i).getOutputStream().write(("c" + i + " r" + round + "\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    for (int i = 0; i < clients.size(); i++) {
                        byte[] want = ("c" + i + " r" + round + "\n").getBytes(StandardCharsets.US_ASCII);
                        assertArrayEquals(want, clients.get(i).getInputStream().readNBytes(want.length), "client " + i);
                    }
                }
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
        }
    }

    @Test
    void echoesOneMebibyteIntact() throws Exception {
        try (UringEchoServer server = new UringEchoServer(); Socket s = connect(server.start(0, true))) {
            byte[] big = new byte[1 << 20];          // many receives, likely short sends
            new Random(42).nextBytes(big);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    out.write(big);
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            byte[] back = in.readNBytes(big.length);
            writer.join(5_000);
            assertArrayEquals(big, back, "1 MiB echoed intact and in order");
        }
    }

    @Test
    void survivesAClientThatResets() throws Exception {
        try (UringEchoServer server = new UringEchoServer()) {
            int port = server.start(0, true);
            for (int i = 0; i < 20; i++) {
                Socket bad = connect(port);
                bad.getOutputStream().write(new byte[100_000]);   // echo under way when it resets
                bad.setSoLinger(true, 0);
                bad.close();                                      // RST
            }
            try (Socket good = connect(port)) {
                good.getOutputStream().write("still here\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("still here\n", new String(good.getInputStream().readNBytes(11), StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void closeIsIdempotentAndFreesThePort() throws Exception {
        UringEchoServer server = new UringEchoServer();
        int port = server.start(0, true);
        server.close();
        server.close();
        try (java.net.ServerSocket again = new java.net.ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
    }

    @Test
    void udpIsRefused() {
        try (UringEchoServer server = new UringEchoServer()) {
            assertThrows(IOException.class, () -> server.start(0, false));
        }
    }
}
