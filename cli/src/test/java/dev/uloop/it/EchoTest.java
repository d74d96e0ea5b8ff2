package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.it.UloopServer.Mode;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code uloop serve echo} (RFC 862) in every mode, over TCP and UDP, driven by socat and
 * OpenBSD nc; one server per mode for the whole class.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoTest {
    private static ServerSet servers;

    @BeforeAll
    @Timeout(value = 6, unit = TimeUnit.MINUTES)   // bin/uloop may have to build first
    static void startServers() throws IOException {
        servers = ServerSet.start("echo", List.of(Mode.values()));
    }

    @AfterAll
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    static void stopServers() {
        servers.close();
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void socatTcpEchoesTextAndClosesAfterTheClientsEnd(Mode mode) {
        UloopServer s = servers.get(mode);
        byte[] data = "hello, uloop\r\nsecond line\n\u00e9t\u00e9 \u2603\n".getBytes(StandardCharsets.UTF_8);
        Exec.Result r = Peers.ok(Peers.socatTcp(s.tcp(), data, Duration.ofSeconds(15)));
        assertArrayEquals(data, r.out(), r::describe);
        // socat waits up to 2 s (-t 2) after its half-close for the server to close.
        assertTrue(r.elapsed().toMillis() < 1900,
                () -> "the server did not close the connection after the client's end of stream: " + r.describe());
        s.assertAlive();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void socatTcpEchoesOneMebibyteOfBinaryByteExact(Mode mode) {
        UloopServer s = servers.get(mode);
        byte[] data = random(1 << 20, 862 + mode.ordinal());
        Exec.Result r = Peers.ok(Peers.socatTcp(s.tcp(), data, Duration.ofSeconds(30)));
        assertEquals(data.length, r.out().length, () -> "echoed length; " + r.describe());
        assertArrayEquals(data, r.out(), "1 MiB echoed with different bytes");
        s.assertAlive();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void socatUdpEchoesEachDatagram(Mode mode) throws Exception {
        UloopServer s = servers.get(mode);
        byte[] text = "hello over udp\n".getBytes(StandardCharsets.US_ASCII);
        Exec.Result r = Peers.socatUdp(s.udp(), text, text.length, Duration.ofSeconds(3));
        assertArrayEquals(text, r.out(), r::describe);

        byte[] binary = random(8000, 868 + mode.ordinal());
        Exec.Result b = Peers.socatUdp(s.udp(), binary, binary.length, Duration.ofSeconds(3));
        assertEquals(binary.length, b.out().length, () -> "8000-byte datagram: " + b.err());
        assertArrayEquals(binary, b.out(), "8000-byte binary datagram echoed with different bytes");
        s.assertAlive();
    }

    /** The edge sizes, from a plain Java socket: an empty datagram and the largest one (65,507 bytes). */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void udpEchoesEmptyAndMaximumSizeDatagrams(Mode mode) throws IOException {
        UloopServer s = servers.get(mode);
        try (DatagramSocket ds = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            ds.setSoTimeout(3000);
            ds.setReceiveBufferSize(1 << 20);
            for (byte[] d : List.of(new byte[0], random(65_507, 65_507))) {
                ds.send(new DatagramPacket(d, d.length, s.udp()));
                DatagramPacket reply = new DatagramPacket(new byte[70_000], 70_000);
                ds.receive(reply);
                assertEquals(d.length, reply.getLength(), "echo of a " + d.length + "-byte datagram");
                assertArrayEquals(d, Arrays.copyOf(reply.getData(), reply.getLength()));
            }
        }
        s.assertAlive();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void ncTcpEchoes(Mode mode) {
        UloopServer s = servers.get(mode);
        byte[] data = "nc -N says hi\nand bye\n".getBytes(StandardCharsets.US_ASCII);
        // -N: shutdown(2) the socket after the end of stdin, then read until the server closes.
        Exec.Result r = Peers.ok(Exec.run(Duration.ofSeconds(15), data,
                Peers.nc(), "-N", "-w", "5", "127.0.0.1", Integer.toString(s.tcpPort())));
        assertArrayEquals(data, r.out(), r::describe);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void ncUdpEchoes(Mode mode) {
        UloopServer s = servers.get(mode);
        byte[] data = "nc -u says hi\n".getBytes(StandardCharsets.US_ASCII);
        Exec.Result r = Peers.ok(Exec.run(Duration.ofSeconds(15), data,
                Peers.nc(), "-u", "-w1", "127.0.0.1", Integer.toString(s.udpPort())));
        assertArrayEquals(data, r.out(), r::describe);
    }

    /**
     * Clients that reset (SO_LINGER 0, then close) while the server still has their echo to
     * send; the server goes on answering a well-behaved socat.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void clientsThatResetMidTransferDoNotHurtOthers(Mode mode) throws Exception {
        UloopServer s = servers.get(mode);
        for (int i = 0; i < 3; i++) {
            resetMidTransfer(s.tcp(), 4 << 20);
        }
        // One that resets right after sending, without filling anything up.
        try (SocketChannel ch = SocketChannel.open(s.tcp())) {
            ch.write(ByteBuffer.wrap(random(1000, 1)));
            ch.setOption(StandardSocketOptions.SO_LINGER, 0);
        }
        byte[] data = "still there?\n".getBytes(StandardCharsets.US_ASCII);
        Exec.Result r = Peers.ok(Peers.socatTcp(s.tcp(), data, Duration.ofSeconds(10)));
        assertArrayEquals(data, r.out(), r::describe);
        s.assertAlive();
    }

    /**
     * Sends up to {@code max} bytes without reading the echo, until the buffers on both sides
     * are full (no progress for 300 ms), then resets the connection.
     */
    static long resetMidTransfer(InetSocketAddress server, int max) throws IOException, InterruptedException {
        try (SocketChannel ch = SocketChannel.open()) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            ch.connect(server);
            long sent = ShutdownTest.sendWithoutReading(ch, max, 300);
            ch.setOption(StandardSocketOptions.SO_LINGER, 0);
            return sent;
        }
    }
}
