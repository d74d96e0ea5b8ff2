package dev.uloop.net;

import dev.uloop.EventLoop;
import dev.uloop.Events;
import dev.uloop.NativeException;
import dev.uloop.WallClock;
import dev.uloop.internal.net.AddressCache;
import dev.uloop.internal.net.IoBuffers;
import dev.uloop.internal.net.Sockets;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.SockAddr;
import dev.uloop.internal.posix.Socket;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A UDP socket on an event loop. Receives into the loop's read buffer and hands each
 * datagram (0 to 65507 bytes) to a {@link DatagramProtocol}; {@link #send} never blocks
 * the loop: a datagram the kernel has no room for is dropped and counted. To serve one port
 * from several loops, see {@link UdpEndpointGroup}.
 */
public final class UdpEndpoint implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("uloop.net.UdpEndpoint");
    private static final int RECEIVES_PER_EVENT = 16;
    /** The largest UDP payload over IPv4: 65535 - 20 (IP header) - 8 (UDP header). */
    public static final int MAX_DATAGRAM = 65507;

    private final EventLoop loop;
    private final int fd;
    private final DatagramProtocol protocol;
    private final InetSocketAddress localAddress;
    private final boolean timestamps;
    private final AddressCache senders = new AddressCache();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment toAddr = arena.allocate(SockAddr.STORAGE_SIZE, 8);  // last destination
    private InetSocketAddress lastTo;
    private int lastToLen;
    private ByteBuffer lastDirect;                  // last direct buffer sent, and a segment of all of it
    private MemorySegment lastDirectSegment;
    // Written by the loop thread only; volatile so that they can be read (and a group's added up) anywhere.
    private volatile long received;
    private volatile long sent;
    private volatile long sendDrops;
    private long receiveTime;
    private boolean closed;

    private UdpEndpoint(EventLoop loop, int fd, DatagramProtocol protocol, boolean timestamps) {
        this.loop = loop;
        this.fd = fd;
        this.protocol = protocol;
        this.timestamps = timestamps;
        this.localAddress = Sockets.localAddress(fd);
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
        int fd = Sockets.openBound(address, Socket.SOCK_DGRAM, options.reuseAddress, options.reusePortForOneSocket(),
                options.dualStack);
        UdpEndpoint e = onSocket(loop, fd, protocol, options.receiveTimestamps);
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
    static UdpEndpoint onSocket(EventLoop loop, int fd, DatagramProtocol protocol, boolean timestamps) {
        UdpEndpoint e;
        try {
            if (timestamps) {
                Sockets.setInt(fd, Socket.SOL_SOCKET, Socket.SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
            }
            e = new UdpEndpoint(loop, fd, protocol, timestamps);
        } catch (RuntimeException ex) {
            Sockets.close(fd);
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
            Sockets.close(fd);
            arena.close();
        }
    }

    /** On the loop thread (or before it runs): starts receiving. */
    void register() {
        if (!closed) {
            loop.add(fd, Events.IN, (f, ev) -> receive());
        }
    }

    private void receive() {
        IoBuffers io = IoBuffers.get();
        for (int i = 0; i < RECEIVES_PER_EVENT && !closed; i++) {
            long n;
            int addrLen;
            if (timestamps) {
                io.msg.prepare();
                n = Socket.recvmsg(fd, io.msg.msg, Socket.MSG_DONTWAIT);
                if (n >= 0) {
                    long t = io.msg.timespec(Socket.SOL_SOCKET, Socket.SCM_TIMESTAMPNS);
                    receiveTime = t != Long.MIN_VALUE ? t : WallClock.nanos();
                }
                addrLen = io.msg.nameLength();
            } else {
                io.addrLen.set(ValueLayout.JAVA_INT, 0, SockAddr.STORAGE_SIZE);
                n = Socket.recvfrom(fd, io.read, IoBuffers.SIZE, Socket.MSG_DONTWAIT, io.addr, io.addrLen);
                receiveTime = 0;
                addrLen = io.addrLen.get(ValueLayout.JAVA_INT, 0);
            }
            if (n == -Errno.EAGAIN) {
                return;
            }
            if (n < 0) {
                // ICMP errors for earlier sends (ECONNREFUSED...) surface here; the socket stays usable.
                report(new NativeException((timestamps ? "recvmsg" : "recvfrom") + "(fd=" + fd + ")", (int) -n));
                continue;
            }
            received++;
            InetSocketAddress from = senders.lookup(io.addr, addrLen);
            ByteBuffer view = io.readView;
            view.clear().limit((int) n);
            try {
                protocol.datagramReceived(view, from);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "datagramReceived of " + protocol.getClass().getName() + " threw", e);
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

    private void report(NativeException e) {
        try {
            protocol.errorReceived(e);
        } catch (RuntimeException t) {
            LOG.log(Level.ERROR, "errorReceived threw", t);
        }
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
        if (to != lastTo) {
            lastToLen = SockAddr.write(to, toAddr);
            lastTo = to;
        }
        IoBuffers io = IoBuffers.get();
        int len = data.remaining();
        MemorySegment src;
        if (data == io.readView) {
            src = data.position() == 0 ? io.read : io.read.asSlice(data.position());
        } else if (data.isDirect()) {
            if (data != lastDirect) {       // the same reply buffer again and again: make its segment once
                lastDirectSegment = MemorySegment.ofBuffer(data.duplicate().clear());
                lastDirect = data;
            }
            src = data.position() == 0 ? lastDirectSegment : lastDirectSegment.asSlice(data.position());
        } else {
            if (len > IoBuffers.SIZE) {
                throw new IllegalArgumentException("datagram of " + len + " bytes; the maximum is " + MAX_DATAGRAM);
            }
            MemorySegment.copy(MemorySegment.ofBuffer(data), 0, io.write, 0, len);
            src = io.write;
        }
        long n = Socket.sendto(fd, src, len, Socket.MSG_DONTWAIT | Socket.MSG_NOSIGNAL, toAddr, lastToLen);
        if (n >= 0) {
            sent++;
            return true;
        }
        if (n == -Errno.EAGAIN || n == -Errno.ENOBUFS) {
            sendDrops++;
            return false;
        }
        LOG.log(Level.WARNING, "sendto(fd={0}, {1}): {2}", fd, Addresses.format(to), Errno.name((int) -n));
        return false;
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
        if (closed) {
            return;
        }
        closed = true;
        if (!loop.isClosed()) {
            loop.remove(fd);
        }
        Sockets.close(fd);
        arena.close();
    }

    @Override
    public String toString() {
        return "UdpEndpoint[" + Addresses.format(localAddress) + "]";
    }
}
