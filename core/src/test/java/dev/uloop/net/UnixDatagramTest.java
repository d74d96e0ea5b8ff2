package dev.uloop.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.Backend;
import dev.uloop.LoopThread;
import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.Sockets;
import dev.uloop.internal.net.UnixName;
import java.net.BindException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Unix domain datagram sockets on every backend: echo, autobound clients, abstract names, the socket file. */
@Timeout(60)
class UnixDatagramTest {
    @TempDir
    Path dir;

    /** An echo endpoint: every datagram goes back to its sender. */
    static UnixDatagramEndpoint echo(LoopThread lt, SocketAddress at, int mode, List<SocketAddress> senders) {
        UnixDatagramEndpoint[] self = new UnixDatagramEndpoint[1];
        return lt.call(() -> self[0] = UnixDatagramEndpoint.bind(lt.loop(), at, mode, (data, from) -> {
            senders.add(from);
            self[0].send(data, from);
        }));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void echoesDatagramsToAnAutoboundClient(Backend b) throws Exception {
        try (LoopThread lt = UnixSocketTest.loop(b)) {
            Path path = dir.resolve("dgram.sock");
            List<SocketAddress> senders = new CopyOnWriteArrayList<>();
            UnixDatagramEndpoint server = echo(lt, UnixDomainSocketAddress.of(path), 0620, senders);
            assertEquals(PosixFilePermissions.fromString("rw--w----"), Files.getPosixFilePermissions(path));
            List<String> got = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> all = new CompletableFuture<>();
            UnixDatagramEndpoint client = lt.call(() -> UnixDatagramEndpoint.open(lt.loop(), (data, from) -> {
                got.add(StandardCharsets.US_ASCII.decode(data) + " from " + from);
                if (got.size() == 3) {
                    all.complete(null);
                }
            }));
            assertInstanceOf(AbstractUnixAddress.class, client.localAddress(), "autobind gives an abstract name");
            for (String m : List.of("one", "two", "three")) {
                assertTrue(lt.call(() -> client.send(ByteBuffer.wrap(m.getBytes(StandardCharsets.US_ASCII)),
                        server.localAddress())));
            }
            all.get(20, TimeUnit.SECONDS);
            assertEquals(List.of("one from " + path, "two from " + path, "three from " + path), got);
            assertEquals(List.of(client.localAddress(), client.localAddress(), client.localAddress()), senders);
            assertSame(senders.get(0), senders.get(2), "a sender seen last is the same address object");
            assertEquals(3, server.sentCount());
            lt.run(() -> {
                client.close();
                server.close();
            });
            assertFalse(Files.exists(path, LinkOption.NOFOLLOW_LINKS), "removed on close");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void servesAnAbstractName(Backend b) throws Exception {
        try (LoopThread lt = UnixSocketTest.loop(b)) {
            SocketAddress at = Unix.address("@uloop-dgram-" + ProcessHandle.current().pid() + "-" + b.id());
            List<SocketAddress> senders = new CopyOnWriteArrayList<>();
            UnixDatagramEndpoint server = echo(lt, at, UnixServer.UMASK_MODE, senders);
            assertEquals(at, server.localAddress());
            CompletableFuture<String> back = new CompletableFuture<>();
            UnixDatagramEndpoint client = lt.call(() -> UnixDatagramEndpoint.open(lt.loop(), (data, from) ->
                    back.complete(StandardCharsets.US_ASCII.decode(data) + " from " + from)));
            lt.call(() -> client.send(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)), at));
            assertEquals("hi from " + at, back.get(20, TimeUnit.SECONDS));
            BindException busy = UnixSocketTest.fails(BindException.class, () -> echo(lt, at, 0600, senders));
            assertEquals(at + " is already in use", busy.getMessage());
            lt.run(() -> {
                client.close();
                server.close();
            });
        }
    }

    @Test
    void anUnnamedSenderCannotBeAnsweredAndTheEndpointGoesOn() throws Exception {
        try (LoopThread lt = UnixSocketTest.loop(Backend.EPOLL)) {
            Path path = dir.resolve("unnamed.sock");
            List<SocketAddress> senders = new CopyOnWriteArrayList<>();
            UnixDatagramEndpoint server = echo(lt, UnixDomainSocketAddress.of(path), 0600, senders);
            NativeSocket unnamed = NativeSocket.openUnix(Sockets.DATAGRAM);    // never bound: it has no name
            try {
                assertTrue(unnamed.connect(UnixName.path(path.toString())));
                assertEquals(1, unnamed.send(new byte[] {1}, 0, 1));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (senders.isEmpty() && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            } finally {
                unnamed.close();
            }
            assertEquals(List.of(UnixDomainSocketAddress.of("")), senders);
            assertEquals(0, server.sentCount(), "no way back to an unnamed sender");
            assertEquals(1, server.receivedCount());
            lt.run(server::close);
        }
    }
}
