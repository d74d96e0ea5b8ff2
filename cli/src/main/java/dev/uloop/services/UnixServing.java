package dev.uloop.services;

import dev.uloop.EventLoop;
import dev.uloop.EventLoopGroup;
import dev.uloop.net.InheritedSocket;
import dev.uloop.net.Unix;
import dev.uloop.net.UnixDatagramEndpoint;
import dev.uloop.net.UnixDatagramProtocol;
import dev.uloop.net.UnixServer;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A service's Unix domain sockets on the first loop of a group: a {@link UnixServer} with
 * the same protocol as TCP, and a {@link UnixDatagramEndpoint} with the same replies as UDP
 * (without UDP's loop protection and rate limit, which guard against forged IP sources; a
 * Unix peer is a local process the socket file's mode lets in). A graceful stop of the group
 * closes them and removes their files.
 */
final class UnixServing {
    private final UnixServer stream;
    private final UnixDatagramEndpoint datagram;

    private UnixServing(UnixServer stream, UnixDatagramEndpoint datagram) {
        this.stream = stream;
        this.datagram = datagram;
    }

    /**
     * Binds the sockets {@code unix} asks for on loop 0 of {@code g} (not started yet) and
     * adds the shutdown hook that closes them; nothing is left open if a bind fails.
     *
     * @throws java.net.BindException when a path is in use, its directory is missing, ...
     * @throws IOException            for other failures
     */
    static UnixServing start(EventLoopGroup g, ServiceConfig config, UnixConfig unix) throws IOException {
        EventLoop loop = g.loop(0);
        UnixServer s = unix.stream() == null ? null
                : UnixServer.listen(loop, address(unix.stream()), unix.mode(), config.service().tcpProtocol(config));
        UnixDatagramEndpoint d = null;
        try {
            if (unix.datagram() != null) {
                d = UnixDatagramEndpoint.bind(loop, address(unix.datagram()), unix.mode(),
                        new Answer(config.service().responder(config)));
            }
        } catch (IOException | RuntimeException e) {
            if (s != null) {
                s.close();
            }
            throw e;
        }
        return serve(g, new UnixServing(s, d));
    }

    /**
     * Serves the Unix sockets systemd passed (at most one listening stream socket and one
     * datagram socket) on loop 0 of {@code g} (not started yet); their files are systemd's.
     *
     * @throws IOException when a socket cannot be served
     */
    static UnixServing adopt(EventLoopGroup g, ServiceConfig config, List<InheritedSocket> sockets)
            throws IOException {
        EventLoop loop = g.loop(0);
        UnixServer s = null;
        UnixDatagramEndpoint d = null;
        try {
            for (InheritedSocket socket : sockets) {
                if (socket.isStream()) {
                    s = UnixServer.adopt(loop, socket, config.service().tcpProtocol(config));
                } else {
                    d = UnixDatagramEndpoint.adopt(loop, socket, new Answer(config.service().responder(config)));
                }
            }
        } catch (IOException | RuntimeException e) {
            if (s != null) {
                s.close();
            }
            throw e;
        }
        return serve(g, new UnixServing(s, d));
    }

    /** Adds the shutdown hook that closes the sockets (and removes the files this process made). */
    private static UnixServing serve(EventLoopGroup g, UnixServing serving) {
        g.addShutdownHook(0, (remaining, done) -> {
            if (serving.datagram != null) {
                serving.datagram.close();
            }
            if (serving.stream != null) {
                serving.stream.shutdown(remaining, done);
            } else {
                done.run();
            }
        });
        return serving;
    }

    private static SocketAddress address(String spelling) throws IOException {
        try {
            return Unix.address(spelling);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** For the ready line: {@code unix /run/uloop/echo.sock}, {@code unix-datagram @uloop-echo}. */
    List<String> endpoints() {
        List<String> l = new ArrayList<>(2);
        if (stream != null) {
            l.add("unix " + Unix.format(stream.localAddress()));
        }
        if (datagram != null) {
            l.add("unix-datagram " + Unix.format(datagram.localAddress()));
        }
        return l;
    }

    /** Its counters for the metrics endpoint (read from any thread). */
    void metrics(PrometheusText p) {
        if (stream != null) {
            p.metric("uloop_unix_connections_open", "gauge", "Unix stream connections open now")
                    .sample("uloop_unix_connections_open", stream.connectionCount());
            p.metric("uloop_unix_connections_accepted_total", "counter", "Unix stream connections accepted")
                    .sample("uloop_unix_connections_accepted_total", stream.acceptedCount());
        }
        if (datagram != null) {
            p.metric("uloop_unix_datagrams_received_total", "counter", "Unix datagrams received")
                    .sample("uloop_unix_datagrams_received_total", datagram.receivedCount());
            p.metric("uloop_unix_datagrams_answered_total", "counter", "Unix datagram replies sent")
                    .sample("uloop_unix_datagrams_answered_total", datagram.sentCount());
        }
    }

    /** For the summary line: {@code unix: 3 connections; unix-datagram: 5 answered}. */
    String summary() {
        StringBuilder sb = new StringBuilder();
        if (stream != null) {
            long n = stream.acceptedCount();
            sb.append("unix: ").append(n).append(n == 1 ? " connection" : " connections");
        }
        if (datagram != null) {
            sb.append(sb.isEmpty() ? "" : "; ").append("unix-datagram: ").append(datagram.sentCount())
                    .append(" answered");
        }
        return sb.toString();
    }

    /** The datagram service: the responder's reply goes back to the sender (unless it has no name). */
    private static final class Answer implements UnixDatagramProtocol {
        private final Responder responder;
        private UnixDatagramEndpoint endpoint;

        Answer(Responder responder) {
            this.responder = responder;
        }

        @Override
        public void bound(UnixDatagramEndpoint e) {
            endpoint = e;
        }

        @Override
        public void datagramReceived(ByteBuffer data, SocketAddress from) {
            ByteBuffer reply = responder.reply(data);
            if (reply != null) {
                endpoint.send(reply, from);
            }
        }
    }
}
