package dev.uloop.bench.servers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each comparison server, in-process on port 0: one TCP and one UDP echo round trip. */
@Timeout(10)
class EchoServersTest {
    static Stream<Arguments> servers() {
        Supplier<EchoServer> nettyEpoll = () -> {
            Assumptions.assumeTrue(io.netty.channel.epoll.Epoll.isAvailable(),
                    () -> "Netty's native epoll: " + io.netty.channel.epoll.Epoll.unavailabilityCause());
            return new NettyEchoServer("epoll");
        };
        Supplier<EchoServer> nettyNio = () -> new NettyEchoServer("nio");
        Supplier<EchoServer> nettyUring = () -> {
            Assumptions.assumeTrue(io.netty.channel.uring.IoUring.isAvailable(),
                    () -> "Netty's io_uring: " + io.netty.channel.uring.IoUring.unavailabilityCause());
            return new NettyEchoServer("io_uring");
        };
        Supplier<EchoServer> nio = NioEchoServer::new;
        return Stream.of(
                Arguments.of("netty-epoll", nettyEpoll),
                Arguments.of("netty-nio", nettyNio),
                Arguments.of("netty-io_uring", nettyUring),
                Arguments.of("nio", nio));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void tcpEcho(String name, Supplier<EchoServer> factory) throws Exception {
        try (EchoServer server = factory.get()) {
            int port = server.start(0, true);
            assertTrue(port > 0, "bound port");
            byte[] big = new byte[256 * 1024];          // more than one read, likely a partial write
            Arrays.fill(big, (byte) 'x');
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
                s.setSoTimeout(5_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                out.write("hi\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertEquals("hi\n", new String(in.readNBytes(3), StandardCharsets.US_ASCII), name);
                Thread writer = Thread.ofPlatform().start(() -> {
                    try {
                        out.write(big);
                        out.flush();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                byte[] back = in.readNBytes(big.length);
                writer.join(5_000);
                assertTrue(Arrays.equals(big, back), name + ": 256 KiB echoed intact");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void udpEcho(String name, Supplier<EchoServer> factory) throws Exception {
        try (EchoServer server = factory.get(); DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int port = server.start(0, false);
            assertTrue(port > 0, "bound port");
            s.setSoTimeout(1_000);
            byte[] msg = "hi\n".getBytes(StandardCharsets.US_ASCII);
            byte[] buf = new byte[2048];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            // Retry a lost datagram a few times (there should be none on loopback).
            for (int attempt = 1; ; attempt++) {
                s.send(new DatagramPacket(msg, msg.length, InetAddress.getLoopbackAddress(), port));
                try {
                    s.receive(reply);
                    break;
                } catch (java.net.SocketTimeoutException e) {
                    if (attempt == 3) {
                        throw e;
                    }
                }
            }
            assertEquals("hi\n", new String(buf, 0, reply.getLength(), StandardCharsets.US_ASCII), name);
            assertEquals(port, reply.getPort(), "answered from the server's port");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void closeIsIdempotent(String name, Supplier<EchoServer> factory) throws Exception {
        EchoServer server = factory.get();
        int port = server.start(0, true);
        server.close();
        server.close();
        // The port is free again.
        try (java.net.ServerSocket again = new java.net.ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
    }
}
