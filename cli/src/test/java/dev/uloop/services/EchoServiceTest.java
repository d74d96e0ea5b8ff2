package dev.uloop.services;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Echo (RFC 862) over TCP and UDP, on every backend and both blocking modes, driven by JDK sockets. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EchoServiceTest {
    private static final ServiceConfig ECHO = ServiceConfig.of(Service.ECHO);

    /** Sends {@code data} from another thread, then half-closes; reads everything back on this one. */
    private static byte[] echoOver(Socket s, byte[] data) throws Exception {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = s.getOutputStream();
                for (int off = 0; off < data.length; off += 8192) {
                    out.write(data, off, Math.min(8192, data.length - off));
                }
                s.shutdownOutput();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] back = Peer.readAll(s.getInputStream());
        writer.get(10, TimeUnit.SECONDS);
        return back;
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void tcpEchoesOneMebibyteByteExactAndClosesAfterTheClientsEof(Mode mode) throws Exception {
        try (Server server = mode.start(ECHO); Socket s = Peer.connect(server.tcpAddress())) {
            byte[] data = Peer.random(1 << 20, 862);
            assertArrayEquals(data, echoOver(s, data));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aClientThatDoesNotReadStopsItsOwnInputAndLosesNothing(Mode mode) throws Exception {
        try (Server server = mode.start(ECHO); Socket s = new Socket()) {
            s.setReceiveBufferSize(16 * 1024);   // keep the client's own buffers small and fixed
            s.setSendBufferSize(16 * 1024);
            s.connect(server.tcpAddress(), Peer.TIMEOUT_MS);
            s.setSoTimeout(Peer.TIMEOUT_MS);
            byte[] data = Peer.random(32 << 20, 7);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    s.getOutputStream().write(data);
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(1000);
            assertFalse(writer.isDone(), "32 MiB went out although the client read nothing: no backpressure");
            byte[] back = Peer.readAll(s.getInputStream());
            writer.get(10, TimeUnit.SECONDS);
            assertEquals(data.length, back.length);
            assertArrayEquals(data, back);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void udpEchoesAnEmptyAndTheLargestDatagram(Mode mode) throws Exception {
        try (Server server = mode.start(ECHO)) {
            assertArrayEquals(new byte[0], Peer.udpAsk(server.udpAddress(), new byte[0]));
            byte[] max = Peer.random(65507, 65507);
            assertArrayEquals(max, Peer.udpAsk(server.udpAddress(), max));
            assertArrayEquals("hello".getBytes(), Peer.udpAsk(server.udpAddress(), "hello".getBytes()));
        }
    }

    /** stop() with an idle client: the client sees EOF, closes, and stop() ends well within the grace period. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void stopClosesIdleConnectionsAndReleasesThePorts(Mode mode) throws Exception {
        Server server = mode.start(ECHO);
        InetSocketAddress tcp = server.tcpAddress();
        try (Socket idle = Peer.connect(tcp)) {
            idle.getOutputStream().write("ping".getBytes());
            InputStream in = idle.getInputStream();
            assertArrayEquals("ping".getBytes(), in.readNBytes(4));
            long t0 = System.nanoTime();
            CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(server::stop);
            assertEquals(-1, in.read(), "the idle connection should see EOF once stop() runs");
            idle.close();
            assertTrue(stopped.get(10, TimeUnit.SECONDS), "stop() should end within the grace period");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < ECHO.grace().toMillis(), "stop() took " + ms + " ms");
        }
        assertTrue(server.stop(), "stop() again is harmless");
        try (Socket s = new Socket()) {
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> s.connect(tcp, 1000));
            assertTrue(e instanceof java.net.ConnectException, e.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theReadyLineNamesTheAddressesAndTheMode(Mode mode) throws Exception {
        try (Server server = mode.start(ECHO)) {
            String line = server.readyLine();
            Matcher m = Pattern.compile("uloop echo ready: tcp (\\S+), udp (\\S+) \\((.+)\\)").matcher(line);
            assertTrue(m.matches(), line);
            assertEquals("127.0.0.1:" + server.tcpAddress().getPort(), m.group(1));
            assertEquals("127.0.0.1:" + server.udpAddress().getPort(), m.group(2));
            assertEquals(mode.tag(), m.group(3));
            // Port 0: UDP takes the port TCP got (free for UDP too, short of a rare collision).
            assertEquals(server.tcpAddress().getPort(), server.udpAddress().getPort(), line);
        }
        try (Server tcpOnly = mode.start(ECHO.withProtocols(true, false))) {
            assertEquals(null, tcpOnly.udpAddress());
            assertEquals(null, tcpOnly.guard());
            assertTrue(tcpOnly.readyLine().matches("uloop echo ready: tcp 127\\.0\\.0\\.1:\\d+ \\(.+\\)"),
                    tcpOnly.readyLine());
        }
        try (Server udpOnly = mode.start(ECHO.withProtocols(false, true))) {
            assertEquals(null, udpOnly.tcpAddress());
            assertTrue(udpOnly.readyLine().matches("uloop echo ready: udp 127\\.0\\.0\\.1:\\d+ \\(.+\\)"),
                    udpOnly.readyLine());
        }
    }
}
