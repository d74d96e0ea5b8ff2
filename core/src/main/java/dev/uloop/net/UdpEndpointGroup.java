package dev.uloop.net;

import dev.uloop.EventLoopGroup;
import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.Sockets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One UDP port served by the loops of an {@link EventLoopGroup}: a {@link UdpEndpoint} per
 * loop, each with its own {@link DatagramProtocol} from a factory (which learns its endpoint
 * through {@link DatagramProtocol#bound}).
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="udpGroup"}
 *
 * With SO_REUSEPORT (where the kernel has it, the default) every loop has a socket bound to
 * the port, and the kernel spreads the datagrams by a hash of their source and destination
 * addresses and ports: all datagrams from one source socket go to the same loop, many
 * sources spread over all of them. Without it (or with
 * {@link SocketOptions#reusePort(boolean) reusePort(false)}) there is one endpoint, on loop 0,
 * since replies must leave from the socket the request came to. With port 0 the first socket
 * gets a free port and the others bind that one. Unlike {@link TcpServerGroup} the default
 * options leave SO_REUSEADDR off, as {@link UdpEndpoint#bind(dev.uloop.EventLoop,
 * InetSocketAddress, DatagramProtocol)} does, so that a busy port is an error.
 *
 * <p>The endpoints close when the group {@linkplain EventLoopGroup#shutdown shuts down}. The
 * methods here are safe from any thread.
 */
public final class UdpEndpointGroup implements AutoCloseable {
    private final EventLoopGroup group;
    private final UdpEndpoint[] endpoints;   // one per loop that has one: all loops, or loop 0 only

    private UdpEndpointGroup(EventLoopGroup group, UdpEndpoint[] endpoints) {
        this.group = group;
        this.endpoints = endpoints;
    }

    /**
     * Binds on the loops of a group with default options (no SO_REUSEADDR).
     *
     * @param group   the loops; before {@link EventLoopGroup#start()}, or after it from a
     *                thread that is not one of its loops
     * @param address where to bind; port 0 picks a free port (the same for every loop)
     * @param factory makes one protocol per endpoint
     * @return the endpoints
     * @throws java.net.BindException for a busy or privileged port, with a message that says so
     * @throws IOException            for other failures; nothing is left open
     */
    public static UdpEndpointGroup bind(EventLoopGroup group, InetSocketAddress address,
                                        Supplier<? extends DatagramProtocol> factory) throws IOException {
        return bind(group, address, new SocketOptions().reuseAddress(false), factory);
    }

    /**
     * Binds on the loops of a group.
     *
     * @param group   the loops; before {@link EventLoopGroup#start()}, or after it from a
     *                thread that is not one of its loops
     * @param address where to bind; port 0 picks a free port (the same for every loop)
     * @param options socket options; {@link SocketOptions#reusePort(boolean)} chooses between
     *                a socket per loop and one on loop 0
     * @param factory makes one protocol per endpoint
     * @return the endpoints
     * @throws java.net.BindException for a busy or privileged port, with a message that says so
     * @throws IOException            for other failures (among them {@code reusePort(true)} where
     *                                the kernel lacks SO_REUSEPORT); nothing is left open
     * @throws IllegalStateException  if the group is shut down
     */
    public static UdpEndpointGroup bind(EventLoopGroup group, InetSocketAddress address, SocketOptions options,
                                        Supplier<? extends DatagramProtocol> factory) throws IOException {
        OnLoops.checkSetUp(group, address, options, factory);
        boolean shared = options.sharePort(group.size());
        NativeSocket[] sockets = shared
                ? Sockets.openBoundShared(address, Sockets.DATAGRAM, group.size(), options.reuseAddress, options.dualStack)
                : new NativeSocket[] {Sockets.openBound(address, Sockets.DATAGRAM, options.reuseAddress,
                        options.reusePortForOneSocket(), options.dualStack)};
        return start(group, sockets, options, factory);
    }

    /**
     * Serves a UDP socket this process inherited (from systemd's socket activation, say)
     * on loop 0 of a group, as a group without SO_REUSEPORT does: replies must leave from the
     * socket the request came to. Of the options, receive timestamps apply.
     *
     * @param group   the loops; before {@link EventLoopGroup#start()}, or after it from a
     *                thread that is not one of its loops
     * @param socket  a UDP socket; the endpoint owns it now
     * @param options socket options
     * @param factory makes the protocol of the one endpoint
     * @return the endpoints (one)
     * @throws IOException           when the socket is not a UDP socket
     * @throws IllegalStateException if the group is shut down, or the socket served already
     */
    public static UdpEndpointGroup adopt(EventLoopGroup group, InheritedSocket socket, SocketOptions options,
                                         Supplier<? extends DatagramProtocol> factory) throws IOException {
        OnLoops.checkSetUp(group, socket.localAddress(), options, factory);
        return start(group, new NativeSocket[] {socket.takeDatagram()}, options, factory);
    }

    /** Makes an endpoint per socket (socket i on loop i), registers them and their shutdown; closes all if that fails. */
    private static UdpEndpointGroup start(EventLoopGroup group, NativeSocket[] sockets, SocketOptions options,
                                          Supplier<? extends DatagramProtocol> factory) {
        UdpEndpoint[] endpoints = new UdpEndpoint[sockets.length];
        int made = 0;
        try {
            while (made < sockets.length) {
                DatagramProtocol p = Objects.requireNonNull(factory.get(), "the protocol factory returned null");
                NativeSocket socket = sockets[made];
                sockets[made] = null;           // onSocket owns it now, and closes it if it fails
                endpoints[made] = UdpEndpoint.onSocket(group.loop(made), socket, p, options.receiveTimestamps);
                made++;
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < sockets.length; i++) {
                if (i < made) {
                    endpoints[i].closeUnregistered();
                } else if (sockets[i] != null) {
                    sockets[i].close();
                }
            }
            throw e;
        }
        UdpEndpointGroup g = new UdpEndpointGroup(group, endpoints);
        try {
            OnLoops.runAndWait(group, i -> {
                if (i < endpoints.length) {
                    endpoints[i].register();
                }
            });
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
        for (int i = 0; i < endpoints.length; i++) {
            UdpEndpoint e = endpoints[i];
            group.addShutdownHook(i, (remaining, done) -> {
                e.close();
                done.run();
            });
        }
        return g;
    }

    /**
     * The address every endpoint is bound to (with the real port when 0 was asked for).
     *
     * @return the local address
     */
    public InetSocketAddress localAddress() {
        return endpoints[0].localAddress();
    }

    /**
     * Whether each loop has a socket of its own (SO_REUSEPORT), rather than one endpoint on
     * loop 0.
     *
     * @return true with a socket per loop
     */
    public boolean sharesPort() {
        return endpoints.length > 1;
    }

    /**
     * How many endpoints there are: the group's size with SO_REUSEPORT, else 1.
     *
     * @return the number of endpoints (loop {@code i} has endpoint {@code i})
     */
    public int size() {
        return endpoints.length;
    }

    /**
     * Datagrams received by all endpoints.
     *
     * @return the count
     */
    public long receivedCount() {
        return OnLoops.sum(endpoints, UdpEndpoint::receivedCount);
    }

    /**
     * Datagrams received on one loop.
     *
     * @param loop the loop's index in the group
     * @return the count (0 for a loop without an endpoint)
     */
    public long receivedCount(int loop) {
        Objects.checkIndex(loop, group.size());
        return loop < endpoints.length ? endpoints[loop].receivedCount() : 0;
    }

    /**
     * Datagrams the kernel took, from all endpoints.
     *
     * @return the count
     */
    public long sentCount() {
        return OnLoops.sum(endpoints, UdpEndpoint::sentCount);
    }

    /**
     * Datagrams sent from one loop.
     *
     * @param loop the loop's index in the group
     * @return the count (0 for a loop without an endpoint)
     */
    public long sentCount(int loop) {
        Objects.checkIndex(loop, group.size());
        return loop < endpoints.length ? endpoints[loop].sentCount() : 0;
    }

    /**
     * Datagrams dropped by all endpoints because a send buffer was full.
     *
     * @return the count
     */
    public long sendDrops() {
        return OnLoops.sum(endpoints, UdpEndpoint::sendDrops);
    }

    /**
     * Closes every endpoint (on its loop's thread; waits for the loops when called from
     * outside the group). Idempotent.
     */
    @Override
    public void close() {
        OnLoops.runQuietly(group, i -> {
            if (i < endpoints.length) {
                endpoints[i].close();
            }
        });
    }

    @Override
    public String toString() {
        return "UdpEndpointGroup[" + Addresses.format(localAddress()) + ", " + endpoints.length + " endpoints]";
    }
}
