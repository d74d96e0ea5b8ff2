package dev.uloop.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.Backend;
import dev.uloop.EventLoopGroup;
import dev.uloop.LoopThread;
import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.Sockets;
import dev.uloop.internal.posix.Socket;
import dev.uloop.internal.posix.Unistd;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sockets another process opened, served on every backend: a listening TCP socket and a
 * UDP socket (systemd's socket activation), on one loop and on a group of two (one acceptor
 * handing connections over; one UDP endpoint), and a connected TCP socket (inetd's standard
 * input). The descriptors are made here as systemd would make them: bound, listening,
 * blocking. Also what each refuses, in one line.
 */
@Timeout(60)
class InheritedSocketTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private LoopThread loop(Backend backend) {
        assumeTrue(backend.isAvailable(), () -> backend + " is not available here");
        LoopThread lt = new LoopThread(backend);
        open.add(lt);
        return lt;
    }

    /** A blocking socket bound to loopback, listening when TCP: what systemd passes. */
    private InheritedSocket systemdSocket(int type) throws IOException {
        NativeSocket s = Sockets.openBound(new InetSocketAddress(LOOPBACK, 0), type, true, false, false);
        int fd = s.fd();
        int flags = Unistd.fcntl(fd, Unistd.F_GETFL, 0);
        Unistd.fcntl(fd, Unistd.F_SETFL, flags & ~Unistd.O_NONBLOCK);
        if (type == Sockets.STREAM) {
            s.listen(16);
        }
        InheritedSocket in = InheritedSocket.of(fd);
        open.add(in::close);
        return in;
    }

    private static byte[] tcpRoundTrip(InetSocketAddress at, String text) throws IOException {
        try (java.net.Socket c = new java.net.Socket(at.getAddress(), at.getPort())) {
            c.setSoTimeout(10_000);
            byte[] data = text.getBytes(StandardCharsets.US_ASCII);
            c.getOutputStream().write(data);
            c.shutdownOutput();
            return c.getInputStream().readAllBytes();
        }
    }

    private static byte[] udpRoundTrip(InetSocketAddress at, String text) throws IOException {
        try (DatagramSocket c = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            c.setSoTimeout(10_000);
            byte[] data = text.getBytes(StandardCharsets.US_ASCII);
            c.send(new DatagramPacket(data, data.length, at));
            DatagramPacket p = new DatagramPacket(new byte[100], 100);
            c.receive(p);
            return java.util.Arrays.copyOf(p.getData(), p.getLength());
        }
    }

    private static final class UdpEcho implements DatagramProtocol {
        private UdpEndpoint endpoint;

        @Override
        public void bound(UdpEndpoint e) {
            endpoint = e;
        }

        @Override
        public void datagramReceived(ByteBuffer data, InetSocketAddress from) {
            endpoint.send(data, from);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aListeningTcpSocketIsServed(Backend backend) throws Exception {
        LoopThread lt = loop(backend);
        InheritedSocket in = systemdSocket(Sockets.STREAM);
        assertTrue(in.isTcp() && in.isListening() && !in.isConnected(), in::toString);
        TcpServer server = lt.call(() -> TcpServer.adopt(lt.loop(), in, new SocketOptions(), Echo::new));
        assertEquals(in.localAddress(), server.localAddress());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), tcpRoundTrip(in.localAddress(), "hello"));
        }
        assertEquals(3, server.acceptedCount());
        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> TcpServer.adopt(lt.loop(), in, new SocketOptions(), Echo::new));
        assertTrue(twice.getMessage().endsWith("is served or closed already"), twice.getMessage());
        lt.run(server::close);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aUdpSocketIsServed(Backend backend) throws Exception {
        LoopThread lt = loop(backend);
        InheritedSocket in = systemdSocket(Sockets.DATAGRAM);
        assertFalse(in.isTcp() || in.isListening() || in.isConnected(), in::toString);
        UdpEndpoint e = lt.call(() -> UdpEndpoint.adopt(lt.loop(), in, new SocketOptions(), new UdpEcho()));
        assertArrayEquals("ping".getBytes(StandardCharsets.US_ASCII), udpRoundTrip(in.localAddress(), "ping"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (e.sentCount() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();          // the loop counts the send right after the kernel took it
        }
        assertEquals(1, e.sentCount());
        lt.run(e::close);
    }

    /** Two loops, one inherited listener: loop 0 accepts and hands every other connection to loop 1. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aGroupServesOneInheritedListenerFromEveryLoop(Backend backend) throws Exception {
        assumeTrue(backend.isAvailable(), () -> backend + " is not available here");
        EventLoopGroup g = EventLoopGroup.open(2, backend, "inherited");
        open.add(g);
        InheritedSocket tcp = systemdSocket(Sockets.STREAM);
        InheritedSocket udp = systemdSocket(Sockets.DATAGRAM);
        TcpServerGroup servers = TcpServerGroup.adopt(g, tcp, new SocketOptions(), Echo::new);
        UdpEndpointGroup endpoints = UdpEndpointGroup.adopt(g, udp, new SocketOptions(), UdpEcho::new);
        g.start();
        assertFalse(servers.sharesPort());
        assertEquals(1, endpoints.size());
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(("c" + i).getBytes(StandardCharsets.US_ASCII), tcpRoundTrip(tcp.localAddress(), "c" + i));
        }
        assertEquals(3, servers.acceptedCount(0));
        assertEquals(3, servers.acceptedCount(1));
        assertArrayEquals("u".getBytes(StandardCharsets.US_ASCII), udpRoundTrip(udp.localAddress(), "u"));
        assertTrue(g.shutdown(java.time.Duration.ofSeconds(2)));
    }

    /** inetd's nowait: the connection itself is inherited. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aConnectedTcpSocketIsServed(Backend backend) throws Exception {
        LoopThread lt = loop(backend);
        NativeSocket listener = Sockets.openBound(new InetSocketAddress(LOOPBACK, 0), Sockets.STREAM, true, false,
                false);
        open.add(listener::close);
        listener.listen(4);
        try (java.net.Socket client = new java.net.Socket(LOOPBACK, listener.localAddress().getPort())) {
            client.setSoTimeout(10_000);
            NativeSocket accepted = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (accepted == null && System.nanoTime() < deadline) {
                accepted = listener.accept();
                Thread.onSpinWait();
            }
            assertTrue(accepted != null, "no connection to accept");
            InheritedSocket in = InheritedSocket.of(accepted.fd());
            assertTrue(in.isTcp() && in.isConnected() && !in.isListening(), in::toString);
            assertEquals(client.getLocalPort(), in.remoteAddress().getPort());
            Echo echo = new Echo();
            lt.call(() -> Tcp.adopt(lt.loop(), in, echo));
            client.getOutputStream().write("inetd".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertArrayEquals("inetd".getBytes(StandardCharsets.US_ASCII), client.getInputStream().readAllBytes());
            assertNull(echo.lost.get(10, TimeUnit.SECONDS), "a clean close");
        }
    }

    @Test
    void eachRefusesWhatItCannotServeInOneLine() throws Exception {
        LoopThread lt = loop(Backend.POLL);
        InheritedSocket tcp = systemdSocket(Sockets.STREAM);
        InheritedSocket udp = systemdSocket(Sockets.DATAGRAM);
        IOException e1 = assertThrows(IOException.class,
                () -> TcpServer.adopt(lt.loop(), udp, new SocketOptions(), Echo::new));
        assertEquals("fd " + udp.fd() + " (udp on " + Addresses.format(udp.localAddress())
                + ") is not a listening TCP socket", e1.getMessage());
        IOException e2 = assertThrows(IOException.class,
                () -> UdpEndpoint.adopt(lt.loop(), tcp, new SocketOptions(), new UdpEcho()));
        assertEquals("fd " + tcp.fd() + " (tcp, listening on " + Addresses.format(tcp.localAddress())
                + ") is not a UDP socket", e2.getMessage());
        IOException e3 = assertThrows(IOException.class, () -> Tcp.adopt(lt.loop(), tcp, new Echo()));
        assertTrue(e3.getMessage().endsWith("is not a connected TCP socket"), e3.getMessage());
    }

    @Test
    void whatIsNotATcpOrUdpSocketIsSaidSo() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            assertEquals(0, Unistd.pipe2(fds, Unistd.O_CLOEXEC));
            int r = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            int w = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
            IOException pipe = assertThrows(IOException.class, () -> InheritedSocket.of(r));
            assertEquals("fd " + r + " is not a socket", pipe.getMessage());
            Unistd.close(r);
            Unistd.close(w);
            IOException closed = assertThrows(IOException.class, () -> InheritedSocket.of(r));
            assertEquals("fd " + r + " is not open", closed.getMessage());

            assertEquals(0, Socket.socketpair(Socket.AF_UNIX, Socket.SOCK_STREAM | Socket.SOCK_CLOEXEC, 0, fds));
            int a = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            try {
                IOException unix = assertThrows(IOException.class, () -> InheritedSocket.of(a));
                assertEquals("fd " + a + " is a connected Unix domain socket; uloop serves a listening Unix stream"
                        + " socket, a Unix datagram socket, or a TCP or UDP socket (IPv4 or IPv6)", unix.getMessage());
            } finally {
                Unistd.close(a);
                Unistd.close(fds.getAtIndex(ValueLayout.JAVA_INT, 1));
            }
        }
    }
}
