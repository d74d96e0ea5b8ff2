package dev.uloop.net;

import dev.uloop.EventLoop;
import dev.uloop.NativeException;
import dev.uloop.internal.backend.LoopEngines;
import dev.uloop.internal.net.DatagramEngine;
import dev.uloop.internal.net.DatagramOwner;
import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.Sockets;
import dev.uloop.internal.net.UnixName;
import dev.uloop.internal.net.UnixSockets;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.Socket;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A Unix domain datagram socket on an event loop, the Unix counterpart of
 * {@link UdpEndpoint}: receives into the loop's read buffer and hands each datagram (up to
 * 65536 bytes; a larger one is reported to {@link UnixDatagramProtocol#errorReceived} and
 * dropped) to a {@link UnixDatagramProtocol}; {@link #send} never blocks the loop. It is
 * served by readiness on every backend, as UDP is.
 *
 * <p>Bound to a path, the socket file gets the given mode right after the bind and is
 * removed by {@link #close()} if it is still the one this endpoint made; a stale file nobody
 * is bound to is replaced, as for {@link UnixServer}. A client that wants answers needs a
 * name too: {@link #open} binds one the kernel picks (an abstract name, Linux's autobind).
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="unixDatagram"}
 */
public final class UnixDatagramEndpoint implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("uloop.net.UnixDatagramEndpoint");

    private final UnixDatagramProtocol protocol;
    private final UnixSockets.Bound bound;      // null when the kernel chose the name
    private final SocketAddress localAddress;
    private final DatagramEngine engine;
    private volatile long received;
    private volatile long sent;
    private volatile long sendDrops;
    private boolean closed;

    private UnixDatagramEndpoint(EventLoop loop, NativeSocket socket, UnixSockets.Bound bound,
                                 UnixDatagramProtocol protocol) {
        this.protocol = protocol;
        this.bound = bound;
        this.engine = new DatagramEngine(LoopEngines.sockets(loop).reactor(), socket, false, new UnixAddressCodec(),
                new Owner());
        this.localAddress = Unix.address(socket.unixName(false));
    }

    /**
     * Binds to a path or an abstract name, with the socket file's mode as the process's
     * umask makes it.
     *
     * @param loop     the loop (call from its thread, or before it runs)
     * @param address  a {@link java.net.UnixDomainSocketAddress} or an {@link AbstractUnixAddress}
     * @param protocol what to do with datagrams
     * @return the endpoint
     * @throws java.net.BindException   as {@link UnixServer#listen}
     * @throws java.net.SocketException when the path does not fit in {@code sun_path}
     * @throws IOException              for other failures
     */
    public static UnixDatagramEndpoint bind(EventLoop loop, SocketAddress address, UnixDatagramProtocol protocol)
            throws IOException {
        return bind(loop, address, UnixServer.UMASK_MODE, protocol);
    }

    /**
     * Binds to a path or an abstract name; the socket file gets {@code mode} (sending to a
     * Unix socket takes write permission on its file).
     *
     * @param loop     the loop (call from its thread, or before it runs)
     * @param address  a {@link java.net.UnixDomainSocketAddress} or an {@link AbstractUnixAddress}
     * @param mode     the socket file's permission bits, 0 to 0777, or {@link UnixServer#UMASK_MODE}
     * @param protocol what to do with datagrams
     * @return the endpoint
     * @throws java.net.BindException   as {@link UnixServer#listen}
     * @throws java.net.SocketException when the path does not fit in {@code sun_path}
     * @throws IOException              for other failures
     */
    public static UnixDatagramEndpoint bind(EventLoop loop, SocketAddress address, int mode,
                                            UnixDatagramProtocol protocol) throws IOException {
        Objects.requireNonNull(protocol, "protocol");
        if (mode != UnixServer.UMASK_MODE && (mode < 0 || mode > 0777)) {
            throw new IllegalArgumentException("mode 0" + Integer.toOctalString(mode) + " is not 0 to 0777");
        }
        UnixName name = Unix.name(address);
        UnixSockets.Bound b = UnixSockets.openBound(name, Sockets.DATAGRAM, mode);
        return start(loop, b.socket(), b, protocol);
    }

    /**
     * Serves a Unix datagram socket this process inherited (from systemd's socket activation:
     * {@code ListenDatagram=/run/uloop/echo.dgram}). Its file is its giver's: closing the
     * endpoint does not remove it.
     *
     * @param loop     the loop (call from its thread, or before it runs)
     * @param socket   a Unix datagram socket; the endpoint owns it now and closes it when it closes
     * @param protocol what to do with datagrams
     * @return the endpoint
     * @throws IOException           when the socket is not a Unix datagram socket
     * @throws IllegalStateException when it is served already
     */
    public static UnixDatagramEndpoint adopt(EventLoop loop, InheritedSocket socket, UnixDatagramProtocol protocol)
            throws IOException {
        Objects.requireNonNull(protocol, "protocol");
        return start(loop, socket.takeUnixDatagram(), null, protocol);
    }

    /**
     * An endpoint with a name the kernel picks (Linux's autobind: an abstract name of five
     * hex digits), for a client that sends requests and receives the answers.
     *
     * @param loop     the loop (call from its thread, or before it runs)
     * @param protocol what to do with datagrams
     * @return the endpoint
     * @throws IOException when the socket cannot be made
     */
    public static UnixDatagramEndpoint open(EventLoop loop, UnixDatagramProtocol protocol) throws IOException {
        Objects.requireNonNull(protocol, "protocol");
        NativeSocket s = NativeSocket.openUnix(Sockets.DATAGRAM);
        try {
            dev.uloop.internal.net.IoBuffers io = dev.uloop.internal.net.IoBuffers.get();
            io.addr.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) Socket.AF_UNIX);
            int r = Socket.bind(s.fd(), io.addr, 2);       // just the family: the kernel picks a name
            if (r < 0) {
                throw new SocketException(Errors.exception("bind(fd=" + s.fd() + ", autobind)", -r).getMessage());
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return start(loop, s, null, protocol);
    }

    private static UnixDatagramEndpoint start(EventLoop loop, NativeSocket s, UnixSockets.Bound b,
                                              UnixDatagramProtocol protocol) {
        UnixDatagramEndpoint e;
        try {
            e = new UnixDatagramEndpoint(loop, s, b, protocol);
        } catch (RuntimeException ex) {
            if (b != null) {
                b.removeFile();
            }
            s.close();
            throw ex;
        }
        try {
            protocol.bound(e);
            e.engine.start();
        } catch (RuntimeException ex) {
            e.closeWith(false);
            throw ex;
        }
        return e;
    }

    /** What the engine reports. */
    private final class Owner implements DatagramOwner {
        @Override
        public void received(ByteBuffer data, SocketAddress from, long stamp) {
            received++;
            try {
                protocol.datagramReceived(data, from);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "datagramReceived of " + protocol.getClass().getName() + " threw", e);
            }
        }

        @Override
        public void error(NativeException cause) {
            SocketException e = new SocketException("Unix datagram socket " + Unix.format(localAddress) + ": "
                    + cause.errnoName() + " (" + Errno.description(cause.errno()) + ")");
            e.initCause(cause);
            try {
                protocol.errorReceived(e);
            } catch (RuntimeException t) {
                LOG.log(Level.ERROR, "errorReceived threw", t);
            }
        }
    }

    /**
     * Sends one datagram without blocking. Loop thread only.
     *
     * @param data the payload, position to limit; not consumed
     * @param to   the destination: a {@link java.net.UnixDomainSocketAddress} or an {@link AbstractUnixAddress}
     * @return true if the kernel took it; false if it was dropped because the receiver's
     *         queue was full (counted in {@link #sendDrops()}), the destination is unnamed
     *         (a sender without a name cannot be answered) or the send failed (logged)
     * @throws IllegalArgumentException when {@code to} is not a Unix socket address, or its
     *                                  path does not fit in {@code sun_path}
     */
    public boolean send(ByteBuffer data, SocketAddress to) {
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
     * The bound address.
     *
     * @return a {@link java.net.UnixDomainSocketAddress} or an {@link AbstractUnixAddress}
     */
    public SocketAddress localAddress() {
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
     * Datagrams dropped because the receiver's queue was full.
     *
     * @return the count
     */
    public long sendDrops() {
        return sendDrops;
    }

    /** Unregisters and closes the socket, and removes its file if it is still ours. Idempotent. */
    @Override
    public void close() {
        closeWith(true);
    }

    private void closeWith(boolean registered) {
        if (!closed) {
            closed = true;
            engine.close(registered);
            if (bound != null) {
                bound.removeFile();
            }
        }
    }

    @Override
    public String toString() {
        return "UnixDatagramEndpoint[" + Unix.format(localAddress) + "]";
    }
}
