package dev.uloop.examples;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
import dev.uloop.Events;
import dev.uloop.Handler;
import dev.uloop.NativeException;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.SockAddr;
import dev.uloop.internal.posix.Socket;
import dev.uloop.internal.posix.Unistd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The seeds' UDP time server on uloop: a client sends a few bytes, the server answers with
 * its current time as text ({@code 2020-06-11 13:52:38.709123}). Like the seed it is one
 * reactor-style handler that asks for IN, reads a request, switches to OUT, answers, and
 * switches back to IN; a periodic callback reports what the loop did.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... dev.uloop.examples.UdpTimeServer [port] [backend]
 * </pre>
 */
public final class UdpTimeServer implements Handler, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("uloop.examples.UdpTimeServer");
    private static final DateTimeFormatter SEED_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private final EventLoop loop;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buf = arena.allocate(1024);
    private final MemorySegment peer = arena.allocate(SockAddr.STORAGE_SIZE);   // the client to answer
    private final MemorySegment peerLen = arena.allocate(ValueLayout.JAVA_INT);
    private final int fd;

    /** Binds a non-blocking UDP socket and registers it for IN, like the seed's constructor. */
    public UdpTimeServer(EventLoop loop, InetSocketAddress address) {
        this.loop = loop;
        int s = Socket.socket(SockAddr.family(address), Socket.SOCK_DGRAM | Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC, 0);
        if (s < 0) {
            throw new NativeException("socket(SOCK_DGRAM)", -s);
        }
        int len = SockAddr.write(address, buf);
        int r = Socket.bind(s, buf, len);
        if (r < 0) {
            Unistd.close(s);
            throw new NativeException("bind(fd=" + s + ", " + address + ")", -r);
        }
        this.fd = s;
        loop.add(fd, Events.IN, this);
    }

    /** The seed's {@code process_event}: read on IN, answer on OUT. */
    @Override
    public void onEvents(int fd, int events) {
        if ((events & Events.IN) != 0) {
            read();
        } else if ((events & Events.OUT) != 0) {
            write();
        }
    }

    private void read() {
        peerLen.set(ValueLayout.JAVA_INT, 0, SockAddr.STORAGE_SIZE);
        long n = Socket.recvfrom(fd, buf, buf.byteSize(), Socket.MSG_DONTWAIT, peer, peerLen);
        if (n == -Errno.EAGAIN) {
            return;
        }
        if (n < 0) {
            throw new NativeException("recvfrom(fd=" + fd + ")", (int) -n);
        }
        InetSocketAddress from = SockAddr.read(peer);
        LOG.log(System.Logger.Level.INFO, "{0} bytes from {1}:{2,number,#}",
                n, from.getAddress().getHostAddress(), from.getPort());
        loop.modify(fd, Events.OUT);
    }

    private void write() {
        byte[] now = LocalDateTime.now().format(SEED_FORMAT).getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(now, 0, buf, ValueLayout.JAVA_BYTE, 0, now.length);
        long n = Socket.sendto(fd, buf, now.length, Socket.MSG_DONTWAIT, peer, peerLen.get(ValueLayout.JAVA_INT, 0));
        if (n < 0 && n != -Errno.EAGAIN) {
            LOG.log(System.Logger.Level.WARNING, "sendto failed: " + Errno.name((int) -n));
        }
        loop.modify(fd, Events.IN);
    }

    /** Unregisters and closes the socket. */
    @Override
    public void close() {
        loop.remove(fd);
        Unistd.close(fd);
        arena.close();
    }

    /**
     * Runs the server until the process is stopped.
     *
     * @param args optional port (default 3333) and backend (default auto)
     */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 3333;
        Backend backend = args.length > 1 ? Backend.parse(args[1]) : Backend.fromProperty();
        try (EventLoop loop = EventLoop.open(backend);
             UdpTimeServer server = new UdpTimeServer(loop, new InetSocketAddress("0.0.0.0", port))) {
            loop.every(Duration.ofSeconds(10), () -> LOG.log(System.Logger.Level.INFO, loop.stats().toString()));
            LOG.log(System.Logger.Level.INFO, "UDP time server on 0.0.0.0:{0,number,#} using {1}", port, backend);
            loop.run();
        }
    }
}
