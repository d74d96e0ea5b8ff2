package dev.uloop.services;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
import dev.uloop.net.Addresses;
import dev.uloop.net.InheritedSocket;
import dev.uloop.net.Protocol;
import dev.uloop.net.SocketOptions;
import dev.uloop.net.Tcp;
import dev.uloop.net.TcpConnection;
import dev.uloop.net.Transport;
import dev.uloop.net.UdpEndpoint;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * A service run by inetd, xinetd or a systemd socket unit with {@code Accept=yes}: one
 * event loop serving the socket this process was given as standard input, then an end.
 *
 * <ul>
 * <li>A TCP connection (inetd's {@code nowait}, systemd's {@code Accept=yes}): served as any
 *     connection of the service; {@link #run()} returns once it is closed.</li>
 * <li>A UDP socket (inetd's {@code wait}): every datagram that arrives is answered, the one
 *     that woke inetd first; {@link #run()} returns once none came for the idle time, and
 *     inetd watches the socket again.</li>
 * </ul>
 *
 * <pre>{@code
 * Inetd inetd = new Inetd(ServiceConfig.of(Service.ECHO), Backend.EPOLL,
 *         InheritedSocket.standardInput(), Duration.ofSeconds(10));
 * inetd.run();     // until the client closes
 * }</pre>
 */
public final class Inetd {
    private static final System.Logger LOG = ServerSupport.LOG;

    private final ServiceConfig config;
    private final Backend backend;
    private final InheritedSocket socket;
    private final Duration idle;
    private final EventLoop loop;
    private String summary = "nothing served";

    /**
     * Checks that the socket fits the service, and opens the loop.
     *
     * @param config  what to serve; its host, port and protocols are not used
     * @param backend the loop's backend
     * @param socket  standard input: a connected TCP socket or a UDP socket
     * @param idle    UDP: how long without a datagram before {@link #run()} returns
     * @throws IOException for a listening socket, or a TCP connection for a UDP-only service
     */
    public Inetd(ServiceConfig config, Backend backend, InheritedSocket socket, Duration idle) throws IOException {
        this.config = Objects.requireNonNull(config, "config");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.socket = Objects.requireNonNull(socket, "socket");
        this.idle = Objects.requireNonNull(idle, "idle");
        if (socket.isListening()) {
            throw new IOException(socket + " is listening: inetd passes a connection (nowait) or a UDP socket"
                    + " (wait); a socket unit with Accept=no runs uloop serve without --inetd");
        }
        if (socket.isTcp() && config.service().udpOnly()) {
            throw new IOException(config.service().id() + " is served over UDP only, but " + socket
                    + " is a TCP connection");
        }
        this.loop = EventLoop.open(backend).spin(config.spin());
    }

    /**
     * Serves until the connection is closed, or the UDP socket has been idle; on the calling
     * thread. Closes the loop and the socket at the end.
     *
     * @throws IOException when the socket cannot be served
     */
    public void run() throws IOException {
        try (loop) {
            if (socket.isTcp()) {
                serveConnection();
            } else {
                serveDatagrams();
            }
        }
        LOG.log(Level.DEBUG, () -> config.service().id() + " (inetd, backend " + backend.id() + "): " + summary);
    }

    private void serveConnection() throws IOException {
        Protocol service = config.service().tcpProtocol(config).get();
        TcpConnection c = Tcp.adopt(loop, socket, new EndsTheLoop(service));
        c.setIdleTimeout(config.limits().idleTimeout());      // --idle-timeout: the session ends when idle
        loop.run();
        summary = "one connection from " + Addresses.format(socket.remoteAddress());
    }

    private void serveDatagrams() throws IOException {
        DatagramAnswerer answerer = config.service().datagramAnswerer(config);
        UdpEndpoint e = UdpEndpoint.adopt(loop, socket,
                new SocketOptions().receiveTimestamps(answerer.wantsReceiveTime()), new UdpService(answerer));
        long[] seen = {0, System.nanoTime()};       // datagrams received, and when that count last changed
        loop.every(Duration.ofMillis(Math.max(10, idle.toMillis() / 8)), () -> {
            long count = e.receivedCount();
            long now = System.nanoTime();
            if (count != seen[0]) {
                seen[0] = count;
                seen[1] = now;
            } else if (now - seen[1] >= idle.toNanos()) {
                loop.stop();          // idle: inetd watches the socket again
            }
        });
        loop.run();
        e.close();
        summary = e.receivedCount() + " datagrams, " + e.sentCount() + " answered, " + answerer.drops();
    }

    /**
     * Stops serving at once (from a signal, say): the loop ends and closes what is open.
     * Safe from any thread.
     */
    public void stop() {
        try {
            loop.execute(loop::stop);
        } catch (RuntimeException e) {
            // The loop has ended already.
        }
    }

    /**
     * What was served, once {@link #run()} returned.
     *
     * @return for example {@code 3 datagrams, 3 answered, 0 dropped (0 loop, 0 rate)}
     */
    public String summary() {
        return summary;
    }

    /** The service's protocol, which ends the loop once its connection is lost. */
    private final class EndsTheLoop implements Protocol {
        private final Protocol p;

        EndsTheLoop(Protocol p) {
            this.p = p;
        }

        @Override
        public void connectionMade(Transport transport) {
            p.connectionMade(transport);
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            p.dataReceived(data);
        }

        @Override
        public boolean eofReceived() {
            return p.eofReceived();
        }

        @Override
        public void connectionLost(Throwable cause) {
            try {
                p.connectionLost(cause);
            } finally {
                loop.stop();
            }
        }

        @Override
        public void pauseWriting() {
            p.pauseWriting();
        }

        @Override
        public void resumeWriting() {
            p.resumeWriting();
        }
    }
}
