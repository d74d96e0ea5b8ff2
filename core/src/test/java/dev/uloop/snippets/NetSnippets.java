package dev.uloop.snippets;

import dev.uloop.EventLoop;
import dev.uloop.EventLoopGroup;
import dev.uloop.net.Addresses;
import dev.uloop.net.DatagramProtocol;
import dev.uloop.net.Protocol;
import dev.uloop.net.Protocols;
import dev.uloop.net.SocketOptions;
import dev.uloop.net.Tcp;
import dev.uloop.net.TcpConnection;
import dev.uloop.net.TcpServer;
import dev.uloop.net.TcpServerGroup;
import dev.uloop.net.Transport;
import dev.uloop.net.Unix;
import dev.uloop.net.UnixDatagramEndpoint;
import dev.uloop.net.UnixServer;
import dev.uloop.net.PeerCredentials;
import dev.uloop.net.UdpEndpoint;
import dev.uloop.net.UdpEndpointGroup;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The examples in the Javadoc of {@code dev.uloop.net}, as code the test build compiles
 * (see {@link LoopSnippets}).
 */
final class NetSnippets {
    private NetSnippets() {}

    // @start region="protocol"
    /** Echo, with backpressure: a client that does not read is not read either. */
    static final class Echo implements Protocol {
        private Transport t;

        @Override
        public void connectionMade(Transport transport) {
            t = transport;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            t.write(data);                      // sent now, or queued for this connection
        }

        @Override
        public void pauseWriting() {
            t.pauseReading();                   // the queue passed its high-water mark
        }

        @Override
        public void resumeWriting() {
            t.resumeReading();
        }
    }
    // @end

    static void tcpServer(EventLoop loop) throws IOException {
        // @start region="tcpServer"
        TcpServer server = TcpServer.listen(loop, new InetSocketAddress("127.0.0.1", 7007), Echo::new);
        System.out.println("echo on " + Addresses.format(server.localAddress()));
        // @end
    }

    static void protocols(EventLoop loop) throws IOException {
        // @start region="protocols"
        TcpServer.listen(loop, new InetSocketAddress("127.0.0.1", 7007),
                Protocols.onData((t, data) -> t.write(data)));                       // echo
        TcpServer.listen(loop, new InetSocketAddress("127.0.0.1", 7013),
                Protocols.onConnect(t -> {                                           // the seeds' time server
                    t.write(java.time.LocalDateTime.now().toString().getBytes(StandardCharsets.US_ASCII));
                    t.close();
                }));
        // @end
    }

    static void connect(EventLoop loop) {
        // @start region="connect"
        Tcp.connect(loop, new InetSocketAddress("127.0.0.1", 7007), Duration.ofSeconds(2),
                        Protocols.onConnect(t -> t.write("hello\n".getBytes(StandardCharsets.US_ASCII)))
                                .onData((t, data) -> System.out.print(StandardCharsets.US_ASCII.decode(data)))
                                .get())
                .whenComplete((connection, failure) -> {             // on the loop thread
                    if (failure instanceof ConnectException refused) {
                        System.out.println(refused.getMessage());     // connect(127.0.0.1:7007): ECONNREFUSED (...)
                    }
                });
        // @end
    }

    static void transport(Transport t, ByteBuffer reply) {
        // @start region="transport"
        t.write(reply);                            // consumed: its position moves to its limit
        t.whenSent().thenRun(t::close);            // close once everything written has left the queue
        // @end
    }

    static void connection(CompletableFuture<TcpConnection> pending) {
        // @start region="connection"
        pending.thenAccept(c -> System.out.println(c.remoteAddress() + " on " + c.loop().backend()
                + ", " + c.writeBufferSize() + " bytes queued"));
        // @end
    }

    static void udp(EventLoop loop) throws IOException {
        // @start region="udp"
        UdpEndpoint[] self = new UdpEndpoint[1];
        DatagramProtocol echo = (data, from) -> self[0].send(data, from);     // one datagram back per datagram
        self[0] = UdpEndpoint.bind(loop, new InetSocketAddress("127.0.0.1", 7007), echo);
        // @end
    }

    static void udpGroup(EventLoopGroup group) throws IOException {
        // @start region="udpGroup"
        UdpEndpointGroup endpoints = UdpEndpointGroup.bind(group, new InetSocketAddress("127.0.0.1", 7007),
                () -> new DatagramProtocol() {                 // one protocol per loop
                    private UdpEndpoint endpoint;

                    @Override
                    public void bound(UdpEndpoint e) {
                        endpoint = e;
                    }

                    @Override
                    public void datagramReceived(ByteBuffer data, InetSocketAddress from) {
                        endpoint.send(data, from);
                    }
                });
        // @end
        System.out.println(endpoints);
    }

    static void tcpGroup(EventLoopGroup group) throws IOException {
        // @start region="tcpGroup"
        TcpServerGroup server = TcpServerGroup.listen(group, new InetSocketAddress("127.0.0.1", 7007),
                new SocketOptions().backlog(4096), Echo::new);
        group.start();
        System.out.println(server.acceptedCount() + " connections so far, " + server.connectionCount() + " open");
        // @end
    }

    static void options(EventLoop loop) throws IOException {
        // @start region="options"
        SocketOptions options = new SocketOptions()
                .backlog(4096)                          // listen(2)'s queue of connections not accepted yet
                .noDelay(true)                          // TCP_NODELAY on accepted connections (the default)
                .dualStack(true);                       // on ::, serve IPv4 clients too
        TcpServer.listen(loop, new InetSocketAddress("::", 7007), options, Echo::new);
        // @end
    }

    static void limits(EventLoopGroup group) throws IOException {
        // @start region="limits"
        SocketOptions options = new SocketOptions()
                .maxConnections(1000)                   // open at once, on all the group's loops together
                .maxConnectionsPerSource(20)            // open at once from one client IP address
                .idleTimeout(Duration.ofSeconds(30));   // closes a connection silent both ways for 30 s
        TcpServerGroup server = TcpServerGroup.listen(group, new InetSocketAddress("0.0.0.0", 7007), options,
                Echo::new);
        group.start();
        System.out.println(server.refusedCount() + " refused, " + server.idleClosedCount() + " closed idle");
        // @end
    }

    static void addresses(InetSocketAddress peer) {
        // @start region="addresses"
        System.out.println(Addresses.format(peer));      // 127.0.0.1:7007, or [::1]:7007 for IPv6
        // @end
    }

    static void unix(EventLoop loop) throws IOException {
        // @start region="unix"
        // A stream server on a socket file only the owner and its group may connect to:
        UnixServer server = UnixServer.listen(loop, UnixDomainSocketAddress.of("/run/uloop/echo.sock"), 0660,
                () -> new Protocol() {
                    private Transport t;

                    @Override
                    public void connectionMade(Transport transport) {
                        t = transport;
                        PeerCredentials who = t.peerCredentials().orElseThrow();   // pid, uid, gid
                        if (who.uid() != 0) {
                            t.write(("hello, uid " + who.uid() + "\n").getBytes(StandardCharsets.US_ASCII));
                        }
                    }

                    @Override
                    public void dataReceived(ByteBuffer data) {
                        t.write(data);
                    }
                });
        // A client, here of a Linux abstract name ("@" as socat and systemd write it):
        CompletableFuture<Transport> c = Unix.connect(loop, Unix.address("@uloop-echo"), new Echo());
        // server.close() stops listening and removes /run/uloop/echo.sock
        // @end
    }

    static void unixDatagram(EventLoop loop) throws IOException {
        // @start region="unixDatagram"
        // Answers every datagram with its length; a sender must have a name to be answered.
        UnixDatagramEndpoint[] server = new UnixDatagramEndpoint[1];
        server[0] = UnixDatagramEndpoint.bind(loop, Unix.address("/run/uloop/length.sock"), 0666,
                (data, from) -> server[0].send(ByteBuffer.wrap(
                        (data.remaining() + "\n").getBytes(StandardCharsets.US_ASCII)), from));
        // A client: the kernel names it (autobind), so that the answer finds its way back.
        UnixDatagramEndpoint client = UnixDatagramEndpoint.open(loop, (data, from) ->
                System.out.print(StandardCharsets.US_ASCII.decode(data)));
        client.send(ByteBuffer.wrap(new byte[42]), server[0].localAddress());
        // @end
    }
}
