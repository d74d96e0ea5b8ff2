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
import dev.uloop.LoopThread;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Unix domain stream sockets on every backend: servers, clients, peer credentials, the socket file, errors. */
@Timeout(60)
class UnixSocketTest {
    @TempDir
    Path dir;

    static LoopThread loop(Backend b) {
        assumeTrue(b.isAvailable(), () -> b + " is not available here: " + b.unavailableReason().orElse(""));
        return new LoopThread(b);
    }

    /** A client protocol that sends {@code data}, half-closes, and collects what comes back until the server closes. */
    static final class Collect implements Protocol {
        final byte[] data;
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        volatile int pauses;
        volatile int resumes;
        Transport t;

        Collect(byte[] data) {
            this.data = data;
        }

        @Override
        public void connectionMade(Transport transport) {
            t = transport;
            t.write(data);
            t.writeEof();
        }

        @Override
        public void dataReceived(ByteBuffer b) {
            byte[] a = new byte[b.remaining()];
            b.get(a);
            got.writeBytes(a);
        }

        @Override
        public boolean eofReceived() {
            return false;
        }

        @Override
        public void pauseWriting() {
            pauses++;
        }

        @Override
        public void resumeWriting() {
            resumes++;
        }

        @Override
        public void connectionLost(Throwable cause) {
            if (cause != null) {
                done.completeExceptionally(cause);
            } else {
                done.complete(got.toByteArray());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void echoesOverAUnixServerAndAUnixClientOnOneLoop(Backend b) throws Exception {
        try (LoopThread lt = loop(b)) {
            SocketAddress at = UnixDomainSocketAddress.of(dir.resolve("echo.sock"));
            Echo[] server = new Echo[1];
            UnixServer s = lt.call(() -> UnixServer.listen(lt.loop(), at, () -> server[0] = new Echo()));
            byte[] data = NetContract.random(1 << 20, 7);     // far above the water marks: backpressure works
            Collect c = new Collect(data);
            Transport t = lt.call(() -> Unix.connect(lt.loop(), at, c)).get(20, TimeUnit.SECONDS);
            assertArrayEquals(data, c.done.get(30, TimeUnit.SECONDS));
            assertNull(server[0].lost.get(10, TimeUnit.SECONDS), "clean close");
            assertTrue(c.pauses == 1 && c.resumes == 1, "the client's queue passed the high-water mark, then drained");
            assertEquals(at, lt.call(s::localAddress));
            assertEquals(at, t.remoteSocketAddress());
            assertEquals(at, server[0].t.localSocketAddress());
            assertEquals(UnixDomainSocketAddress.of(""), server[0].t.remoteSocketAddress(), "the client is unnamed");
            assertNull(server[0].t.remoteAddress(), "no IP address on a Unix socket");
            assertEquals(1, s.acceptedCount());
            lt.run(s::close);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void servesAJdkClientAndGivesEachEndThePeersCredentials(Backend b) throws Exception {
        try (LoopThread lt = loop(b)) {
            Path path = dir.resolve("cred.sock");
            Echo[] server = new Echo[1];
            UnixServer s = lt.call(() -> UnixServer.listen(lt.loop(), UnixDomainSocketAddress.of(path),
                    () -> server[0] = new Echo()));
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                ch.write(ByteBuffer.wrap("hello".getBytes()));
                ByteBuffer back = ByteBuffer.allocate(5);
                while (back.hasRemaining() && ch.read(back) >= 0) {
                    // read until all five bytes are back
                }
                assertEquals("hello", new String(back.array()));
                PeerCredentials creds = server[0].made.get(10, TimeUnit.SECONDS).peerCredentials().orElseThrow();
                assertEquals(new PeerCredentials((int) ProcessHandle.current().pid(), uid(), gid()), creds);
            }
            Collect c = new Collect(new byte[0]);
            Transport t = lt.call(() -> Unix.connect(lt.loop(), UnixDomainSocketAddress.of(path), c))
                    .get(20, TimeUnit.SECONDS);
            assertEquals((int) ProcessHandle.current().pid(), t.peerCredentials().orElseThrow().pid(),
                    "the client sees the server's credentials");
            c.done.get(10, TimeUnit.SECONDS);
            lt.run(s::close);
        }
    }

    /** What {@code call} threw on the loop thread, unwrapped from LoopThread's RuntimeException. */
    static <T extends Throwable> T fails(Class<T> type, org.junit.jupiter.api.function.Executable call) {
        Throwable t = assertThrows(Throwable.class, call);
        if (!type.isInstance(t) && t.getClass() == RuntimeException.class && t.getCause() != null) {
            t = t.getCause();
        }
        return assertInstanceOf(type, t);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aClientThatDoesNotReadPausesTheServersReadingUntilItReadsAgain(Backend b) throws Exception {
        try (LoopThread lt = loop(b)) {
            Path path = dir.resolve("paced.sock");
            CompletableFuture<Echo> made = new CompletableFuture<>();
            UnixServer s = lt.call(() -> UnixServer.listen(lt.loop(), UnixDomainSocketAddress.of(path), () -> {
                Echo e = new Echo();
                made.complete(e);
                return e;
            }));
            byte[] data = NetContract.random(4 << 20, 11);
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        ByteBuffer out = ByteBuffer.wrap(data);
                        while (out.hasRemaining()) {
                            ch.write(out);
                        }
                        ch.shutdownOutput();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                Echo server = made.get(10, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (server.pauses == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertTrue(server.pauses > 0, "the queue passed the high-water mark while the client did not read");
                assertTrue(server.received.get() < data.length, "reading paused: not everything was read yet");
                ByteBuffer back = ByteBuffer.allocate(data.length);
                while (back.hasRemaining() && ch.read(back) >= 0) {
                    // the client reads now; the server resumes reading
                }
                writer.get(20, TimeUnit.SECONDS);
                assertArrayEquals(data, back.array());
                assertTrue(server.maxQueued.get() <= Transport.DEFAULT_HIGH_WATER + 64 * 1024 * 4,
                        () -> "the queue stayed near the high-water mark, not " + server.maxQueued.get());
            }
            lt.run(s::close);
        }
    }

    static int uid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    static int gid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void servesAnAbstractName(Backend b) throws Exception {
        try (LoopThread lt = loop(b)) {
            SocketAddress at = Unix.address("@uloop-test-" + ProcessHandle.current().pid() + "-" + b.id());
            assertInstanceOf(AbstractUnixAddress.class, at);
            UnixServer s = lt.call(() -> UnixServer.listen(lt.loop(), at, Echo::new));
            Collect c = new Collect("abstract".getBytes());
            Transport t = lt.call(() -> Unix.connect(lt.loop(), at, c)).get(20, TimeUnit.SECONDS);
            assertEquals("abstract", new String(c.done.get(20, TimeUnit.SECONDS)));
            assertEquals(at, t.remoteSocketAddress());
            fails(BindException.class, () -> lt.call(() -> UnixServer.listen(lt.loop(), at, Echo::new)));
            lt.run(s::close);
            UnixServer again = lt.call(() -> UnixServer.listen(lt.loop(), at, Echo::new));   // free once closed
            lt.run(again::close);
        }
    }

    @Test
    void theSocketFileHasTheModeAndIsRemovedOnCloseOnlyIfStillOurs() throws Exception {
        try (LoopThread lt = loop(Backend.POLL)) {
            Path path = dir.resolve("mode.sock");
            SocketAddress at = UnixDomainSocketAddress.of(path);
            UnixServer s = lt.call(() -> UnixServer.listen(lt.loop(), at, 0640, Echo::new));
            assertEquals(PosixFilePermissions.fromString("rw-r-----"), Files.getPosixFilePermissions(path));
            assertTrue((Boolean) Files.getAttribute(path, "unix:isOther") || Files.exists(path));
            lt.run(s::close);
            assertFalse(Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS), "removed on close");

            UnixServer first = lt.call(() -> UnixServer.listen(lt.loop(), at, 0600, Echo::new));
            Files.delete(path);                        // someone removes it, and another server takes the path
            UnixServer second = lt.call(() -> UnixServer.listen(lt.loop(), at, 0600, Echo::new));
            lt.run(first::close);
            assertTrue(Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS), "not ours any more: kept");
            CompletableFuture<Void> stopped = new CompletableFuture<>();
            lt.run(() -> second.shutdown(Duration.ofSeconds(1), () -> stopped.complete(null)));
            stopped.get(10, TimeUnit.SECONDS);
            assertFalse(Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS), "removed on shutdown");
        }
    }

    @Test
    void aStaleSocketFileIsReplacedAndALiveOneIsBusy() throws Exception {
        try (LoopThread lt = loop(Backend.EPOLL)) {
            Path path = dir.resolve("stale.sock");
            SocketAddress at = UnixDomainSocketAddress.of(path);
            try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                old.bind(at);          // a server that dies leaves its file behind: the JDK does not remove it
            }
            assertTrue(Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS));
            UnixServer s = lt.call(() -> UnixServer.listen(lt.loop(), at, Echo::new));
            BindException busy = fails(BindException.class,
                    () -> lt.call(() -> UnixServer.listen(lt.loop(), at, Echo::new)));
            assertEquals(path + " is already in use (a server is bound to it)", busy.getMessage());
            assertTrue(Files.exists(path), "the live server's file is left alone");
            Collect c = new Collect("still served".getBytes());
            lt.call(() -> Unix.connect(lt.loop(), at, c));
            assertEquals("still served", new String(c.done.get(20, TimeUnit.SECONDS)));
            lt.run(s::close);
        }
    }

    @Test
    void badPathsAreClearErrors() throws Exception {
        try (LoopThread lt = loop(Backend.EPOLL)) {
            Path file = Files.writeString(dir.resolve("plain"), "not a socket");
            BindException notSocket = fails(BindException.class, () -> lt.call(() ->
                    UnixServer.listen(lt.loop(), UnixDomainSocketAddress.of(file), Echo::new)));
            assertEquals(file + " exists and is not a socket; remove it or choose another path", notSocket.getMessage());
            assertEquals("not a socket", Files.readString(file), "left alone");

            Path missing = dir.resolve("no/such/dir/x.sock");
            BindException noDir = fails(BindException.class, () -> lt.call(() ->
                    UnixServer.listen(lt.loop(), UnixDomainSocketAddress.of(missing), Echo::new)));
            assertEquals("cannot create socket " + missing + ": directory " + missing.getParent() + " does not exist",
                    noDir.getMessage());

            String tooLong = dir.resolve("x".repeat(120)).toString();
            SocketException longPath = fails(SocketException.class, () -> lt.call(() ->
                    UnixServer.listen(lt.loop(), UnixDomainSocketAddress.of(tooLong), Echo::new)));
            assertTrue(longPath.getMessage().startsWith("Unix socket path too long: " + tooLong),
                    longPath.getMessage());

            ExecutionException refused = assertThrows(ExecutionException.class, () -> lt.call(() ->
                    Unix.connect(lt.loop(), UnixDomainSocketAddress.of(dir.resolve("nobody.sock")), new Echo()))
                    .get(10, TimeUnit.SECONDS));
            assertInstanceOf(ConnectException.class, refused.getCause());
            assertEquals("connect(" + dir.resolve("nobody.sock") + "): ENOENT (No such file or directory)",
                    refused.getCause().getMessage());
        }
    }

    @Test
    void aStaleFileRefusesConnectionsWithAConnectException() throws Exception {
        Path path = dir.resolve("refuse.sock");
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(path));
        }
        try (LoopThread lt = loop(Backend.SELECT)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> lt.call(() ->
                    Unix.connect(lt.loop(), UnixDomainSocketAddress.of(path), new Echo())).get(10, TimeUnit.SECONDS));
            assertInstanceOf(ConnectException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("ECONNREFUSED"), e.getCause().getMessage());
        }
    }

    @Test
    void aTcpConnectionHasNoPeerCredentialsAndItsInetAddresses() throws Exception {
        try (LoopThread lt = loop(Backend.EPOLL)) {
            CompletableFuture<Echo> made = new CompletableFuture<>();
            TcpServer s = lt.call(() -> TcpServer.listen(lt.loop(),
                    new java.net.InetSocketAddress(NetContract.LOOPBACK, 0), () -> {
                        Echo e = new Echo();
                        made.complete(e);
                        return e;
                    }));
            try (java.net.Socket c = NetContract.connect(s.localAddress())) {
                Transport t = made.get(10, TimeUnit.SECONDS).made.get(10, TimeUnit.SECONDS);
                assertTrue(t.peerCredentials().isEmpty());
                assertEquals(t.localAddress(), t.localSocketAddress());
                assertEquals(c.getLocalSocketAddress(), t.remoteSocketAddress());
            }
            lt.run(s::close);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void servesInheritedUnixSocketsAndLeavesTheirFilesToTheirGiver(Backend b) throws Exception {
        try (LoopThread lt = loop(b)) {
            Path stream = dir.resolve("given.sock");
            Path dgram = dir.resolve("given.dgram");
            // What systemd does for ListenStream=/ListenDatagram= with a path: bind (and listen), then pass the fd.
            dev.uloop.internal.net.UnixSockets.Bound l = dev.uloop.internal.net.UnixSockets.openBound(
                    dev.uloop.internal.net.UnixName.path(stream.toString()),
                    dev.uloop.internal.net.Sockets.STREAM, 0600);
            l.socket().listen(16);
            dev.uloop.internal.net.UnixSockets.Bound d = dev.uloop.internal.net.UnixSockets.openBound(
                    dev.uloop.internal.net.UnixName.path(dgram.toString()),
                    dev.uloop.internal.net.Sockets.DATAGRAM, 0600);
            InheritedSocket ls = InheritedSocket.of(l.socket().fd(), "echo");
            InheritedSocket ds = InheritedSocket.of(d.socket().fd());
            assertTrue(ls.isUnix() && ls.isListening() && ls.isStream() && !ls.isTcp() && !ls.isUdp(), ls::toString);
            assertTrue(ds.isUnix() && !ds.isStream() && !ds.isTcp() && !ds.isUdp(), ds::toString);
            assertEquals("fd " + l.socket().fd() + " 'echo' (unix, listening on " + stream + ")", ls.toString());
            assertEquals("fd " + d.socket().fd() + " (unix datagram on " + dgram + ")", ds.toString());
            assertEquals(UnixDomainSocketAddress.of(stream), ls.unixAddress());
            fails(IOException.class, () -> lt.call(() -> TcpServer.adopt(lt.loop(), ls, new SocketOptions(),
                    Echo::new)));
            UnixServer s = lt.call(() -> UnixServer.adopt(lt.loop(), ls, Echo::new));
            UnixDatagramEndpoint[] e = new UnixDatagramEndpoint[1];
            lt.call(() -> e[0] = UnixDatagramEndpoint.adopt(lt.loop(), ds, (data, from) -> e[0].send(data, from)));
            Collect c = new Collect("given".getBytes());
            lt.call(() -> Unix.connect(lt.loop(), UnixDomainSocketAddress.of(stream), c));
            assertEquals("given", new String(c.done.get(20, TimeUnit.SECONDS)));
            CompletableFuture<String> back = new CompletableFuture<>();
            UnixDatagramEndpoint client = lt.call(() -> UnixDatagramEndpoint.open(lt.loop(), (data, from) ->
                    back.complete(java.nio.charset.StandardCharsets.US_ASCII.decode(data).toString())));
            lt.call(() -> client.send(ByteBuffer.wrap("dg".getBytes()), UnixDomainSocketAddress.of(dgram)));
            assertEquals("dg", back.get(20, TimeUnit.SECONDS));
            lt.run(() -> {
                client.close();
                e[0].close();
                s.close();
            });
            assertTrue(Files.exists(stream, java.nio.file.LinkOption.NOFOLLOW_LINKS), "the giver's file stays");
            assertTrue(Files.exists(dgram, java.nio.file.LinkOption.NOFOLLOW_LINKS), "the giver's file stays");
        }
    }

    @Test
    void addressesAreSpelledAsSocatAndSystemdSpellThem() {
        assertEquals(AbstractUnixAddress.of("x"), Unix.address("@x"));
        assertEquals("@x", Unix.format(Unix.address("@x")));
        assertEquals(UnixDomainSocketAddress.of("/run/x.sock"), Unix.address("/run/x.sock"));
        assertEquals("(unnamed)", Unix.format(UnixDomainSocketAddress.of("")));
        assertThrows(IllegalArgumentException.class, () -> Unix.address("@"));
        assertThrows(IllegalArgumentException.class, () -> Unix.address(""));
        assertThrows(IllegalArgumentException.class, () -> AbstractUnixAddress.of("y".repeat(108)));
    }
}
