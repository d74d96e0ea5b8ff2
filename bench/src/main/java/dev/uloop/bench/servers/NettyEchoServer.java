package dev.uloop.bench.servers;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2 echo server on ONE event loop thread ({@code MultiThreadIoEventLoopGroup(1, ...)}
 * accepts and serves), with the native epoll or io_uring transport, or the NIO one.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'bench/target/uloop-bench-*.jar:bench/target/lib/*' \
 *     dev.uloop.bench.servers.NettyEchoServer --port 9000 --tcp [--transport epoll|io_uring|nio]
 * </pre>
 */
public final class NettyEchoServer implements EchoServer {
    private static final String USAGE =
            "NettyEchoServer --port P (--tcp|--udp) [--host 127.0.0.1] [--transport epoll|io_uring|nio]";

    private final String transport;
    private final String host;
    private EventLoopGroup group;
    private Channel channel;

    /**
     * A server on loopback.
     *
     * @param transport {@code epoll} or {@code io_uring} (native, Linux) or {@code nio}
     */
    public NettyEchoServer(String transport) {
        this(transport, "127.0.0.1");
    }

    /**
     * A server on a given address.
     *
     * @param transport {@code epoll}, {@code io_uring} or {@code nio}
     * @param host      the address to bind
     */
    public NettyEchoServer(String transport, String host) {
        switch (transport) {
            case "epoll" -> Epoll.ensureAvailability();
            case "io_uring" -> IoUring.ensureAvailability();
            case "nio" -> { }
            default -> throw new IllegalArgumentException("unknown transport '" + transport
                    + "'; choose epoll, io_uring or nio");
        }
        this.transport = transport;
        this.host = host;
    }

    /**
     * Runs the server until the process is killed.
     *
     * @param args {@code --port P (--tcp|--udp) [--host H] [--transport epoll|io_uring|nio]}
     * @throws Exception if it cannot start
     */
    public static void main(String[] args) throws Exception {
        ServerArgs a = ServerArgs.parse(USAGE, args);
        String transport = a.transport != null ? a.transport : Epoll.isAvailable() ? "epoll" : "nio";
        a.serve(x -> new NettyEchoServer(transport, x.host));
    }

    /** The transport in use. */
    public String transport() {
        return transport;
    }

    @Override
    public synchronized int start(int port, boolean tcp) throws Exception {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        IoHandlerFactory io = switch (transport) {
            case "epoll" -> EpollIoHandler.newFactory();
            case "io_uring" -> IoUringIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
        group = new MultiThreadIoEventLoopGroup(1, io);
        if (tcp) {
            Class<? extends ServerChannel> type = switch (transport) {
                case "epoll" -> EpollServerSocketChannel.class;
                case "io_uring" -> IoUringServerSocketChannel.class;
                default -> NioServerSocketChannel.class;
            };
            channel = new ServerBootstrap()
                    .group(group)                       // the same single thread accepts and serves
                    .channel(type)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(TcpEcho.INSTANCE)
                    .bind(host, port).sync().channel();
        } else {
            channel = new Bootstrap()
                    .group(group)
                    .channel(switch (transport) {
                        case "epoll" -> EpollDatagramChannel.class;
                        case "io_uring" -> IoUringDatagramChannel.class;
                        default -> NioDatagramChannel.class;
                    })
                    .handler(UdpEcho.INSTANCE)
                    .bind(host, port).sync().channel();
        }
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
        }
    }

    /** Writes every buffer back as it is; flushes once per read burst. */
    @ChannelHandler.Sharable
    static final class TcpEcho extends ChannelInboundHandlerAdapter {
        static final TcpEcho INSTANCE = new TcpEcho();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Sends every datagram's payload back to its sender. */
    @ChannelHandler.Sharable
    static final class UdpEcho extends SimpleChannelInboundHandler<DatagramPacket> {
        static final UdpEcho INSTANCE = new UdpEcho();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ctx.write(new DatagramPacket(packet.content().retain(), packet.sender()), ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A datagram socket survives a failed send (e.g. ICMP port unreachable): keep serving.
        }
    }
}
