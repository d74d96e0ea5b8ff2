package dev.uloop.net;

import dev.uloop.daemon.LogThrottle;
import dev.uloop.EventLoop;
import dev.uloop.NativeException;
import dev.uloop.WallClock;
import dev.uloop.internal.backend.LoopEngines;
import dev.uloop.internal.net.DatagramEngine;
import dev.uloop.internal.net.DatagramOwner;
import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.NetErrors;
import dev.uloop.internal.net.Sockets;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A UDP socket on an event loop. Receives into the loop's read buffer and hands each
 * datagram (0 to 65507 bytes) to a {@link DatagramProtocol}; {@link #send} never blocks
 * the loop: a datagram the kernel has no room for is dropped and counted. To serve one port
 * from several loops, see {@link UdpEndpointGroup}.
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="udp"}
 */
public final class UdpEndpoint implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("uloop.net.UdpEndpoint");
    /** A protocol that fails on every connection or datagram logs once per interval. */
    private static final LogThrottle FAILURES = new LogThrottle(LOG);
    /** The largest UDP payload over IPv4: 65535 - 20 (IP header) - 8 (UDP header). */
    public static final int MAX_DATAGRAM = 65507;

    private final DatagramProtocol protocol;
    private final InetSocketAddress localAddress;
    private final boolean timestamps;
    private final DatagramEngine engine;
    // Written by the loop thread only; volatile so that they can be read (and a group's added up) anywhere.
    private volatile long received;
    private volatile long sent;
    private volatile long sendDrops;
    private long receiveTime;
    private boolean registered;
    private boolean closed;

    private UdpEndpoint(EventLoop loop, NativeSocket socket, DatagramProtocol protocol, boolean timestamps) {
        this.protocol = protocol;
        this.timestamps = timestamps;
        this.engine = new DatagramEngine(LoopEngines.sockets(loop).reactor(), socket, timestamps, new Owner());
        this.localAddress = engine.localAddress();
    }

    /**
     * Binds with default options, but without SO_REUSEADDR (for UDP it would let another
     * socket bind the same port without an error).
     *
     * @param loop     the loop (call from its thread, or before it runs)
     * @param address  where to bind; port 0 picks a free port
     * @param protocol what to do with datagrams
     * @return the endpoint
     * @throws java.net.BindException for a busy or privileged port, with a message that says so
     * @throws IOException            for other failures
     */
    public static UdpEndpoint bind(EventLoop loop, InetSocketAddress address, DatagramProtocol protocol)
            throws IOException {
        // No SO_REUSEADDR: on Linux it would let a second UDP socket share the port silently.
        return bind(loop, address, new SocketOptions().reuseAddress(false), protocol);
    }

    /**
     * Binds.
     *
     * @param loop     the loop (call from its thread, or before it runs)
     * @param address  where to bind; port 0 picks a free port
     * @param options  socket options
     * @param protocol what to do with datagrams
     * @return the endpoint
     * @throws java.net.BindException for a busy or privileged port, with a message that says so
     * @throws IOException            for other failures
     */
    public static UdpEndpoint bind(EventLoop loop, InetSocketAddress address, SocketOptions options,
                                   DatagramProtocol protocol) throws IOException {
        Objects.requireNonNull(protocol, "protocol");
        if (address.isUnresolved()) {
            throw new IOException("cannot resolve " + address.getHostString());
        }
        NativeSocket socket = Sockets.openBound(address, Sockets.DATAGRAM, options.reuseAddress,
                options.reusePortForOneSocket(), options.dualStack);
        UdpEndpoint e = onSocket(loop, socket, protocol, options.receiveTimestamps);
        try {
            e.register();
            return e;
        } catch (RuntimeException ex) {
            e.closeUnregistered();
            throw ex;
        }
    }

    /**
     * Serves a UDP socket this process inherited (from systemd's socket activation, or
     * inetd's standard input) on a loop. Of the options, receive timestamps apply; the socket
     * is bound already.
     *
     * @param loop     the loop (call from its thread, or before it runs)
     * @param socket   a UDP socket; the endpoint owns it now and closes it when it closes
     * @param options  socket options
     * @param protocol what to do with datagrams
     * @return the endpoint
     * @throws IOException           when the socket is not a UDP socket
     * @throws IllegalStateException when it is served already
     */
    public static UdpEndpoint adopt(EventLoop loop, InheritedSocket socket, SocketOptions options,
                                    DatagramProtocol protocol) throws IOException {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(options, "options");
        UdpEndpoint e = onSocket(loop, socket.takeDatagram(), protocol, options.receiveTimestamps);
        try {
            e.register();
            return e;
        } catch (RuntimeException ex) {
            e.closeUnregistered();
            throw ex;
        }
    }

    /**
     * An endpoint on a bound socket (any thread), to be {@link #register}ed on its loop's
     * thread; with {@code timestamps}, asks the kernel for receive timestamps; tells the
     * protocol with {@link DatagramProtocol#bound}. The socket is closed if that fails.
     */
    static UdpEndpoint onSocket(EventLoop loop, NativeSocket socket, DatagramProtocol protocol, boolean timestamps) {
        UdpEndpoint e;
        try {
            e = new UdpEndpoint(loop, socket, protocol, timestamps);
        } catch (RuntimeException ex) {
            socket.close();
            throw ex;
        }
        try {
            protocol.bound(e);
        } catch (RuntimeException ex) {
            e.closeUnregistered();
            throw ex;
        }
        return e;
    }

    /** Closes an endpoint that was never {@link #register}ed, from any thread. */
    void closeUnregistered() {
        if (!closed) {
            closed = true;
            engine.close(false);
        }
    }

    /** On the loop thread (or before it runs): starts receiving. */
    void register() {
        if (!closed) {
            engine.start();
            registered = true;
        }
    }

    /** What the engine reports. */
    private final class Owner implements DatagramOwner {
        @Override
        public void received(ByteBuffer data, java.net.SocketAddress from, long stamp) {
            received++;
            receiveTime = stamp;
            try {
                protocol.datagramReceived(data, (InetSocketAddress) from);
            } catch (RuntimeException e) {
                FAILURES.log(Level.ERROR, LogThrottle.failureKey(e),
                        "datagramReceived of " + protocol.getClass().getName() + " threw", e);
            }
        }

        @Override
        public void error(NativeException cause) {
            try {
                protocol.errorReceived(NetErrors.datagramError(cause, localAddress));
            } catch (RuntimeException t) {
                FAILURES.log(Level.ERROR, LogThrottle.failureKey(t), "errorReceived threw", t);
            }
        }
    }

    /**
     * When the datagram being delivered arrived, in nanoseconds since the Unix epoch: the
     * kernel's receive timestamp when the endpoint was bound with
     * {@link SocketOptions#receiveTimestamps(boolean)} (or, if the kernel attached none, the
     * wall clock read right after the receive call); without that option, the wall clock
     * read now. Meaningful only inside {@link DatagramProtocol#datagramReceived}.
     *
     * @return the receive time, comparable with {@link WallClock#nanos()}
     */
    public long receiveTimeNanos() {
        return receiveTime != 0 ? receiveTime : WallClock.nanos();
    }

    /**
     * Whether the kernel stamps arriving datagrams for {@link #receiveTimeNanos()}.
     *
     * @return true when bound with receive timestamps on
     */
    public boolean hasReceiveTimestamps() {
        return timestamps;
    }

    /**
     * Sends one datagram without blocking. Loop thread only.
     *
     * @param data the payload, position to limit (at most {@value #MAX_DATAGRAM} bytes); not consumed
     * @param to   the destination
     * @return true if the kernel took it; false if it was dropped because the send buffer
     *         was full (counted in {@link #sendDrops()}) or the send failed (logged)
     */
    public boolean send(ByteBuffer data, InetSocketAddress to) {
        if (closed) {
            return false;
        }
        return switch (engine.send(data, to)) {
            case SENT -> {
                sent++;
                yield true;
            }
            case DROPPED -> {
                sendDrops++;
                yield false;
            }
            case FAILED -> false;
        };
    }

    /**
     * Sends one datagram from a byte array.
     *
     * @param data the payload
     * @param to   the destination
     * @return as {@link #send(ByteBuffer, InetSocketAddress)}
     */
    public boolean send(byte[] data, InetSocketAddress to) {
        return send(ByteBuffer.wrap(data), to);
    }

    /**
     * The bound address (with the real port when 0 was asked for).
     *
     * @return the local address
     */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Datagrams received. Safe from any thread, as the other counters.
     *
     * @return the count
     */
    public long receivedCount() {
        return received;
    }

    /**
     * Datagrams the kernel took.
     *
     * @return the count
     */
    public long sentCount() {
        return sent;
    }

    /**
     * Datagrams dropped because the socket's send buffer was full.
     *
     * @return the count
     */
    public long sendDrops() {
        return sendDrops;
    }

    /** Unregisters and closes the socket. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            engine.close(registered);
        }
    }

    @Override
    public String toString() {
        return "UdpEndpoint[" + Addresses.format(localAddress) + "]";
    }
}
