package dev.uloop.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
import dev.uloop.EventLoopGroup;
import dev.uloop.internal.net.Sockets;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Servers over an {@link EventLoopGroup}: TCP and UDP spread over the loops with
 * SO_REUSEPORT, the single-acceptor fallback, port 0 and busy ports, and a graceful
 * shutdown of a busy group that loses no queued echo data.
 */
@Timeout(60)
class GroupNetTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final InetSocketAddress ANY_PORT = new InetSocketAddress(LOOPBACK, 0);

    private final List<EventLoopGroup> groups = new ArrayList<>();

    @AfterEach
    void closeGroups() {
        groups.forEach(EventLoopGroup::close);
    }

    private EventLoopGroup group(int n, Backend backend) {
        assumeTrue(backend.isAvailable(), () -> backend + " is not available here");
        EventLoopGroup g = EventLoopGroup.open(n, backend, "net-" + n);
        groups.add(g);
        return g;
    }

    /** The tests' echo, recording which loop of the group serves it; no backpressure when {@code paced} is false. */
    static final class GroupEcho extends Echo {
        final EventLoopGroup group;
        volatile int loopIndex = -1;

        GroupEcho(EventLoopGroup group, boolean paced) {
            super(paced);
            this.group = group;
        }

        @Override
        public void connectionMade(Transport transport) {
            super.connectionMade(transport);
            for (int i = 0; i < group.size(); i++) {
                if (group.loop(i).inEventLoop()) {
                    assertTrue(transport.loop() == group.loop(i), "the connection lives on the loop that serves it");
                    loopIndex = i;
                }
            }
        }
    }

    private static Socket connect(InetSocketAddress a) throws IOException {
        Socket s = new Socket();
        s.connect(a, 10_000);
        s.setSoTimeout(20_000);
        return s;
    }

    private static byte[] ask(Socket s, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        s.getOutputStream().write(b);
        return s.getInputStream().readNBytes(b.length);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Waits (polling, bounded by the test's timeout) until {@code condition} holds. */
    private static void await(BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** 64 clients, one echo each, all kept open; returns how many each loop served (by the protocols). */
    private static int[] sixtyFourClients(EventLoopGroup g, TcpServerGroup server, List<GroupEcho> made) throws Exception {
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                Socket s = connect(server.localAddress());
                clients.add(s);
                assertEquals("client " + i, new String(ask(s, "client " + i), StandardCharsets.US_ASCII));
            }
            assertEquals(64, server.acceptedCount());
            assertEquals(64, server.connectionCount());
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
        int[] byLoop = new int[g.size()];
        for (GroupEcho e : made) {
            byLoop[e.loopIndex]++;
        }
        for (int i = 0; i < g.size(); i++) {
            assertEquals(byLoop[i], server.acceptedCount(i), "loop " + i + " counted what it served");
        }
        return byLoop;
    }

    private static TcpServerGroup echoServer(EventLoopGroup g, SocketOptions options, List<GroupEcho> made, boolean paced)
            throws IOException {
        return TcpServerGroup.listen(g, ANY_PORT, options, () -> {
            GroupEcho e = new GroupEcho(g, paced);
            made.add(e);
            return e;
        });
    }

    @Test
    void connectionsFromManyClientsSpreadOverTheLoops() throws Exception {
        assumeTrue(Sockets.reusePortAvailable(), "no SO_REUSEPORT here");
        EventLoopGroup g = group(4, Backend.best());
        List<GroupEcho> made = new CopyOnWriteArrayList<>();
        TcpServerGroup server = echoServer(g, new SocketOptions(), made, true);
        g.start();
        assertTrue(server.sharesPort());
        assertEquals(4, server.size());
        assertTrue(server.localAddress().getPort() > 0);
        int[] byLoop = sixtyFourClients(g, server, made);
        long loopsUsed = java.util.Arrays.stream(byLoop).filter(n -> n > 0).count();
        System.out.println("[GroupNetTest] 64 connections over 4 loops with SO_REUSEPORT: "
                + java.util.Arrays.toString(byLoop));
        assertTrue(loopsUsed >= 2, "the kernel spread 64 connections over " + loopsUsed + " loop(s): "
                + java.util.Arrays.toString(byLoop));
    }

    /** Without SO_REUSEPORT (forced), one acceptor on loop 0 deals the connections out in turn. */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void theSingleAcceptorHandsConnectionsToTheLoopsInTurn(Backend backend) throws Exception {
        EventLoopGroup g = group(4, backend);
        List<GroupEcho> made = new CopyOnWriteArrayList<>();
        TcpServerGroup server = echoServer(g, new SocketOptions().reusePort(false), made, true);
        g.start();
        assertFalse(server.sharesPort());
        int[] byLoop = sixtyFourClients(g, server, made);
        assertArrayEquals(new int[] {16, 16, 16, 16}, byLoop);
        assertTrue(server.toString().contains("one acceptor"), server.toString());
    }

    @Test
    void reusePortTrueOnAGroupSharesThePort() throws Exception {
        assumeTrue(Sockets.reusePortAvailable(), "no SO_REUSEPORT here");
        EventLoopGroup g = group(2, Backend.best());
        TcpServerGroup server = TcpServerGroup.listen(g, ANY_PORT, new SocketOptions().reusePort(true),
                () -> new GroupEcho(g, true));
        assertTrue(server.sharesPort());
        g.start();
        try (Socket s = connect(server.localAddress())) {
            assertEquals("hi", new String(ask(s, "hi"), StandardCharsets.US_ASCII));
        }
    }

    /** A group of one loop listens as a plain TcpServer: no SO_REUSEPORT, so a second one on the port fails. */
    @Test
    void aGroupOfOneLoopIsOnePlainSocket() throws Exception {
        EventLoopGroup g = group(1, Backend.best());
        TcpServerGroup server = TcpServerGroup.listen(g, ANY_PORT, () -> new GroupEcho(g, true));
        assertFalse(server.sharesPort());
        EventLoop other = EventLoop.open(Backend.best());
        try {
            BindException e = assertThrows(BindException.class,
                    () -> TcpServer.listen(other, server.localAddress(), new SocketOptions().reusePort(true),
                            () -> new GroupEcho(g, true)));
            assertEquals(Addresses.format(server.localAddress()) + " is already in use", e.getMessage());
        } finally {
            other.close();
        }
        g.start();
        try (Socket s = connect(server.localAddress())) {
            assertEquals("one", new String(ask(s, "one"), StandardCharsets.US_ASCII));
        }
    }

    /**
     * A busy port fails with the usual message, whoever holds it: a plain socket, or another
     * group whose sockets set SO_REUSEPORT too (which the kernel would let share the port).
     */
    @Test
    void aBusyPortFailsWithTheUsualMessageAndLeavesNothingOpen() throws Exception {
        EventLoopGroup holderGroup = group(2, Backend.best());
        TcpServerGroup holder = TcpServerGroup.listen(holderGroup, ANY_PORT, () -> new GroupEcho(holderGroup, true));
        UdpEndpointGroup udpHolder = UdpEndpointGroup.bind(holderGroup, ANY_PORT, () -> (data, from) -> { });
        holderGroup.start();
        EventLoopGroup g = group(2, Backend.best());
        int fdsBefore = openFds();
        for (InetSocketAddress busy : List.of(holder.localAddress())) {
            BindException e = assertThrows(BindException.class,
                    () -> TcpServerGroup.listen(g, busy, () -> new GroupEcho(g, true)));
            assertEquals(Addresses.format(busy) + " is already in use", e.getMessage());
        }
        try (ServerSocket plain = new ServerSocket(0, 10, LOOPBACK)) {
            InetSocketAddress busy = (InetSocketAddress) plain.getLocalSocketAddress();
            BindException e = assertThrows(BindException.class,
                    () -> TcpServerGroup.listen(g, busy, () -> new GroupEcho(g, true)));
            assertEquals(Addresses.format(busy) + " is already in use", e.getMessage());
        }
        BindException u = assertThrows(BindException.class,
                () -> UdpEndpointGroup.bind(g, udpHolder.localAddress(), () -> (data, from) -> { }));
        assertEquals(Addresses.format(udpHolder.localAddress()) + " is already in use", u.getMessage());
        assertEquals(fdsBefore, openFds(), "a failed bind leaves no descriptor open");
        // The group is still usable.
        TcpServerGroup ok = TcpServerGroup.listen(g, ANY_PORT, () -> new GroupEcho(g, true));
        g.start();
        try (Socket s = connect(ok.localAddress()); Socket h = connect(holder.localAddress())) {
            assertEquals("ok", new String(ask(s, "ok"), StandardCharsets.US_ASCII));
            assertEquals("holder", new String(ask(h, "holder"), StandardCharsets.US_ASCII));
        }
    }

    private static int openFds() throws IOException {
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }

    @Test
    void listenAfterStartRegistersOnEachLoopsThread() throws Exception {
        EventLoopGroup g = group(2, Backend.best());
        g.start();
        List<GroupEcho> made = new CopyOnWriteArrayList<>();
        TcpServerGroup server = echoServer(g, new SocketOptions(), made, true);
        try (Socket s = connect(server.localAddress())) {
            assertEquals("late", new String(ask(s, "late"), StandardCharsets.US_ASCII));
        }
        // From one of its own loops it would have to wait for itself: refused.
        CompletableFuture<Object> f = new CompletableFuture<>();
        g.execute(0, () -> {
            try {
                f.complete(TcpServerGroup.listen(g, ANY_PORT, () -> new GroupEcho(g, true)));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void closeStopsAcceptingOnEveryLoop(boolean reusePort) throws Exception {
        assumeTrue(!reusePort || Sockets.reusePortAvailable(), "no SO_REUSEPORT here");
        EventLoopGroup g = group(2, Backend.best());
        TcpServerGroup server = TcpServerGroup.listen(g, ANY_PORT, new SocketOptions().reusePort(reusePort),
                () -> new GroupEcho(g, true));
        g.start();
        try (Socket open = connect(server.localAddress())) {
            server.close();
            server.close();
            for (int i = 0; i < 8; i++) {
                try (Socket s = new Socket()) {
                    assertThrows(ConnectException.class, () -> s.connect(server.localAddress(), 5000));
                }
            }
            assertEquals("still served", new String(ask(open, "still served"), StandardCharsets.US_ASCII));
        }
    }

    // ------------------------------------------------------------ UDP

    /** A UDP echo protocol that records which endpoint it was bound to. */
    static final class UdpEcho implements DatagramProtocol {
        UdpEndpoint endpoint;

        @Override
        public void bound(UdpEndpoint e) {
            endpoint = e;
        }

        @Override
        public void datagramReceived(ByteBuffer data, InetSocketAddress from) {
            endpoint.send(data, from);
        }
    }

    /** 64 client sockets (64 source ports), one datagram each; returns the datagrams each loop received. */
    private static long[] sixtyFourSenders(EventLoopGroup g, UdpEndpointGroup udp) throws IOException {
        List<DatagramSocket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                DatagramSocket c = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
                c.setSoTimeout(10_000);
                clients.add(c);
                byte[] msg = ("datagram " + i).getBytes(StandardCharsets.US_ASCII);
                c.send(new DatagramPacket(msg, msg.length, udp.localAddress()));
                DatagramPacket in = new DatagramPacket(new byte[100], 100);
                c.receive(in);
                assertEquals("datagram " + i, new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII));
            }
        } finally {
            clients.forEach(DatagramSocket::close);
        }
        await(() -> udp.sentCount() == 64);   // counted just after the reply left, so maybe after it arrived
        assertEquals(64, udp.receivedCount());
        long[] byLoop = new long[g.size()];
        for (int i = 0; i < g.size(); i++) {
            byLoop[i] = udp.receivedCount(i);
            assertEquals(byLoop[i], udp.sentCount(i), "loop " + i + " answers what it receives");
        }
        return byLoop;
    }

    @Test
    void datagramsFromManySourcePortsSpreadOverTheLoops() throws Exception {
        assumeTrue(Sockets.reusePortAvailable(), "no SO_REUSEPORT here");
        EventLoopGroup g = group(4, Backend.best());
        List<UdpEcho> made = new CopyOnWriteArrayList<>();
        UdpEndpointGroup udp = UdpEndpointGroup.bind(g, ANY_PORT, () -> {
            UdpEcho e = new UdpEcho();
            made.add(e);
            return e;
        });
        g.start();
        assertTrue(udp.sharesPort());
        assertEquals(4, udp.size());
        assertEquals(4, made.size(), "one protocol per loop");
        Set<UdpEndpoint> endpoints = new HashSet<>();
        made.forEach(e -> endpoints.add(e.endpoint));
        assertEquals(4, endpoints.size(), "each protocol learnt its own endpoint");
        long[] byLoop = sixtyFourSenders(g, udp);
        System.out.println("[GroupNetTest] 64 UDP sources over 4 loops with SO_REUSEPORT: "
                + java.util.Arrays.toString(byLoop));
        assertTrue(java.util.Arrays.stream(byLoop).filter(n -> n > 0).count() >= 2,
                "datagrams from 64 source ports reached only one loop: " + java.util.Arrays.toString(byLoop));
    }

    @Test
    void withoutReusePortUdpIsOneEndpointOnLoopZero() throws Exception {
        EventLoopGroup g = group(2, Backend.best());
        UdpEndpointGroup udp = UdpEndpointGroup.bind(g, ANY_PORT, new SocketOptions().reuseAddress(false).reusePort(false),
                UdpEcho::new);
        g.start();
        assertFalse(udp.sharesPort());
        assertEquals(1, udp.size());
        assertArrayEquals(new long[] {64, 0}, sixtyFourSenders(g, udp));
    }

    @Test
    void tcpAndUdpTakeTheSamePortZeroAnswer() throws Exception {
        // Port 0 for TCP, then UDP on the port TCP got: the services bind this way.
        EventLoopGroup g = group(2, Backend.best());
        TcpServerGroup tcp = TcpServerGroup.listen(g, ANY_PORT, () -> new GroupEcho(g, true));
        UdpEndpointGroup udp = UdpEndpointGroup.bind(g, tcp.localAddress(), UdpEcho::new);
        g.start();
        assertEquals(tcp.localAddress(), udp.localAddress());
        sixtyFourSenders(g, udp);
    }

    // ------------------------------------------------------------ graceful shutdown

    /**
     * Clients send 8 MiB each without reading (more than the kernel's buffers take); the server has read all of it and holds the
     * echo it could not send yet in its write queues when the group shuts down. Every client
     * then reads all its bytes back, followed by an end of stream (not a reset), and the
     * shutdown reports that everything finished.
     */
    @ParameterizedTest
    @CsvSource({"true, EPOLL", "false, EPOLL", "true, IO_URING_COMPLETION", "false, IO_URING_COMPLETION"})
    void shutdownOfABusyGroupLosesNoQueuedEchoData(boolean reusePort, Backend backend) throws Exception {
        assumeTrue(!reusePort || Sockets.reusePortAvailable(), "no SO_REUSEPORT here");
        assumeTrue(backend.isAvailable(), () -> backend + " is not available here: " + backend.unavailableReason().orElse(""));
        EventLoopGroup g = group(2, backend);
        List<GroupEcho> made = new CopyOnWriteArrayList<>();
        TcpServerGroup server = echoServer(g, new SocketOptions().reusePort(reusePort), made, false);
        g.start();
        int clients = 6;
        int size = 8 << 20;
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(4096);
                s.connect(server.localAddress(), 10_000);
                s.setSoTimeout(20_000);
                sockets.add(s);
                s.getOutputStream().write(random(size, i));     // the server reads it all: no backpressure here
            }
            await(() -> made.size() == clients && made.stream().allMatch(e -> e.received.get() == size));
            long[] queuedEach = queuedOnServer(made);
            long queued = java.util.Arrays.stream(queuedEach).sum();
            assertTrue(java.util.Arrays.stream(queuedEach).allMatch(q -> q > 0),
                    "every connection should hold echo data it could not send yet: " + java.util.Arrays.toString(queuedEach));
            int[] byLoop = new int[2];
            made.forEach(e -> byLoop[e.loopIndex]++);
            System.out.println("[GroupNetTest] shutdown with " + queued + " bytes queued on the server, connections"
                    + " per loop " + java.util.Arrays.toString(byLoop) + (reusePort ? " (SO_REUSEPORT)" : " (one acceptor)") + " on " + backend);

            CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> g.shutdown(Duration.ofSeconds(30)));
            for (int i = 0; i < clients; i++) {
                InputStream in = sockets.get(i).getInputStream();
                byte[] back = in.readNBytes(size);
                assertEquals(size, back.length, "client " + i + " got its echo cut short");
                assertArrayEquals(random(size, i), back, "client " + i);
                assertEquals(-1, in.read(), "client " + i + ": an end of stream after the echo");
                sockets.get(i).close();
            }
            assertTrue(stopped.get(30, TimeUnit.SECONDS), "every loop finished within the grace period");
            assertTrue(g.isTerminated());
            for (GroupEcho e : made) {
                assertNull(e.lost.get(10, TimeUnit.SECONDS), "closed cleanly, not aborted");
            }
            assertEquals(0, server.connectionCount());
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** Bytes the server's connections hold in their write queues, asked on each connection's loop. */
    private static long[] queuedOnServer(List<GroupEcho> made) throws Exception {
        long[] queued = new long[made.size()];
        for (int i = 0; i < queued.length; i++) {
            GroupEcho e = made.get(i);
            CompletableFuture<Long> f = new CompletableFuture<>();
            e.t.loop().execute(() -> f.complete(e.t.writeBufferSize()));
            queued[i] = f.get(10, TimeUnit.SECONDS);
        }
        return queued;
    }

    @Test
    void theGroupShutdownClosesTheListenersAndEndpoints() throws Exception {
        EventLoopGroup g = group(2, Backend.best());
        TcpServerGroup tcp = TcpServerGroup.listen(g, ANY_PORT, () -> new GroupEcho(g, true));
        UdpEndpointGroup udp = UdpEndpointGroup.bind(g, tcp.localAddress(), UdpEcho::new);
        g.start();
        AtomicInteger idleLost = new AtomicInteger();
        try (Socket idle = connect(tcp.localAddress())) {
            assertEquals("x", new String(ask(idle, "x"), StandardCharsets.US_ASCII));
            CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> g.shutdown(Duration.ofSeconds(10)));
            assertEquals(-1, idle.getInputStream().read(), "the idle connection sees an end of stream");
            idle.close();
            idleLost.incrementAndGet();
            assertTrue(stopped.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, idleLost.get());
        try (Socket s = new Socket()) {
            assertThrows(ConnectException.class, () -> s.connect(tcp.localAddress(), 5000));
        }
        // The port is free again, for TCP and UDP.
        try (ServerSocket again = new ServerSocket(tcp.localAddress().getPort(), 1, LOOPBACK);
             DatagramSocket udpAgain = new DatagramSocket(udp.localAddress())) {
            assertTrue(again.isBound() && udpAgain.isBound());
        }
        tcp.close();      // harmless after the shutdown
        udp.close();
        assertThrows(IllegalStateException.class, () -> TcpServerGroup.listen(g, ANY_PORT, () -> new GroupEcho(g, true)));
    }
}
