package dev.uloop.internal.net;

import dev.uloop.daemon.LogThrottle;
import dev.uloop.Events;
import dev.uloop.WallClock;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.SockAddr;
import dev.uloop.internal.posix.Socket;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A UDP socket's I/O, on every backend by readiness: receives a batch of datagrams per
 * event into the loop's read buffer (with {@code recvmsg} when the kernel stamps them), and
 * sends without ever blocking the loop. The sender's address comes from a small cache, the
 * destination's {@code sockaddr} is written once per new destination, into memory this
 * socket owns.
 */
public final class DatagramEngine {
    private static final System.Logger LOG = System.getLogger("uloop.net.UdpEndpoint");
    /** A flood of datagrams to an unreachable network fails every send: one line per interval. */
    private static final LogThrottle THROTTLE = new LogThrottle(LOG);
    private static final int RECEIVES_PER_EVENT = 16;

    /** What {@link #send} did with a datagram. */
    public enum Sent {
        /** The kernel took it. */
        SENT,
        /** No room in the socket's send buffer: dropped. */
        DROPPED,
        /** The send failed (logged). */
        FAILED
    }

    private final Reactor loop;
    private final NativeSocket socket;
    private final DatagramOwner owner;
    private final boolean timestamps;
    private final AddressCodec senders;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment toAddr = arena.allocate(SockAddr.STORAGE_SIZE, 8);  // last destination
    private SocketAddress lastTo;
    private int lastToLen;
    private ByteBuffer lastDirect;                  // last direct buffer sent, and a segment of all of it
    private MemorySegment lastDirectSegment;
    private boolean closed;

    /**
     * The engine of a bound UDP socket; with {@code timestamps}, asks the kernel to stamp
     * arriving datagrams (SO_TIMESTAMPNS).
     */
    public DatagramEngine(Reactor loop, NativeSocket socket, boolean timestamps, DatagramOwner owner) {
        this(loop, socket, timestamps, new AddressCache(), owner);
    }

    /**
     * The engine of a bound datagram socket of any family, whose addresses {@code codec}
     * reads and writes; with {@code timestamps}, asks the kernel to stamp arriving datagrams.
     */
    public DatagramEngine(Reactor loop, NativeSocket socket, boolean timestamps, AddressCodec codec,
                          DatagramOwner owner) {
        this.senders = codec;
        if (timestamps) {
            socket.setInt(Socket.SOL_SOCKET, Socket.SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
        }
        this.loop = loop;
        this.socket = socket;
        this.owner = owner;
        this.timestamps = timestamps;
    }

    /** Starts receiving. */
    public void start() {
        if (!closed) {
            loop.add(socket.fd(), Events.IN, (f, ev) -> receive());
        }
    }

    private void receive() {
        IoBuffers io = IoBuffers.get();
        int fd = socket.fd();
        for (int i = 0; i < RECEIVES_PER_EVENT && !closed; i++) {
            long n;
            int addrLen;
            long receiveTime = 0;
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
                n = Socket.recvfrom(fd, io.read, IoBuffers.SIZE, Socket.MSG_DONTWAIT | Socket.MSG_TRUNC, io.addr,
                        io.addrLen);
                addrLen = io.addrLen.get(ValueLayout.JAVA_INT, 0);
            }
            if (n == Errors.AGAIN) {
                return;
            }
            if (n < 0) {
                // ICMP errors for earlier sends (ECONNREFUSED...) surface here; the socket stays usable.
                owner.error(Errors.exception(timestamps ? "recvmsg" : "recvfrom", fd, (int) -n));
                continue;
            }
            if (n > IoBuffers.SIZE) {
                // A Unix datagram larger than the read buffer (MSG_TRUNC gave its real size): not delivered cut short.
                owner.error(Errors.exception("recvfrom", fd, Errno.EMSGSIZE));
                continue;
            }
            SocketAddress from = senders.read(io.addr, addrLen);
            owner.received(io.readView.clear().limit((int) n), from, receiveTime);
        }
    }

    /**
     * Sends one datagram without blocking.
     *
     * @param data its bytes, position to limit (not consumed)
     * @param to   the destination
     * @return what became of it
     * @throws IllegalArgumentException for a heap datagram larger than the write buffer
     */
    public Sent send(ByteBuffer data, SocketAddress to) {
        if (to != lastTo) {
            lastToLen = senders.write(to, toAddr);
            lastTo = to;
        }
        if (lastToLen < 0) {
            return Sent.FAILED;            // an unnamed Unix socket: there is no way back to it
        }
        IoBuffers io = IoBuffers.get();
        int len = data.remaining();
        MemorySegment src;
        long offset = data.position();
        if (data == io.readView) {
            src = io.read;
        } else if (data.isDirect()) {
            if (data != lastDirect) {       // the same reply buffer again and again: make its segment once
                lastDirectSegment = MemorySegment.ofBuffer(data.duplicate().clear());
                lastDirect = data;
            }
            src = lastDirectSegment;
        } else {
            if (len > IoBuffers.SIZE) {
                throw new IllegalArgumentException("datagram of " + len + " bytes; the maximum is "
                        + maxDatagram());
            }
            io.writeView.put(0, data, data.position(), len);
            src = io.write;
            offset = 0;
        }
        long n = Socket.sendto(socket.fd(), src, offset, len, Socket.MSG_DONTWAIT | Socket.MSG_NOSIGNAL, toAddr,
                lastToLen);
        if (n >= 0) {
            return Sent.SENT;
        }
        if (n == Errors.AGAIN || n == -Errno.ENOBUFS) {
            return Sent.DROPPED;
        }
        THROTTLE.log(Level.WARNING, (int) n, "sendto(fd=" + socket.fd() + ", " + (to instanceof InetSocketAddress i
                ? AddressFormat.format(i) : String.valueOf(to)) + "): " + Errno.name((int) -n));
        return Sent.FAILED;
    }

    /** The largest UDP payload over IPv4: 65535 - 20 (IP header) - 8 (UDP header). */
    public static int maxDatagram() {
        return 65507;
    }

    /** Stops receiving and closes the socket (and, unless {@code registered} is false, unregisters it first). Idempotent. */
    public void close(boolean registered) {
        if (closed) {
            return;
        }
        closed = true;
        if (registered) {
            loop.remove(socket.fd());
        }
        socket.close();
        arena.close();
    }

    /** The bound address. */
    public InetSocketAddress localAddress() {
        return socket.localAddress();
    }
}
