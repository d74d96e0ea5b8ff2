package dev.uloop.internal.net;

import dev.uloop.NativeException;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.SockAddr;
import dev.uloop.internal.posix.Socket;
import dev.uloop.internal.posix.Unistd;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One socket descriptor and everything done to it: receive, send, accept, connect, listen,
 * options, shutdown, a reset on close, addresses, and a close that happens exactly once.
 * The network layer holds one per socket and never sees the descriptor, a memory segment
 * or an errno: failures are {@link NativeException}s naming the call, "would block" is a
 * result ({@link #AGAIN}).
 *
 * <p>Data moves through the calling thread's native buffers ({@link IoBuffers}): every
 * socket of a loop is served on the loop's thread, so that is one read buffer per loop,
 * reused for every receive; a received chunk is a view of it, valid until the next receive.
 */
public final class NativeSocket {
    /** What {@link #recv()} returns when nothing is there to read. */
    public static final int AGAIN = Errors.AGAIN;
    private static final int SEND_FLAGS = Socket.MSG_DONTWAIT | Socket.MSG_NOSIGNAL;

    private final int fd;
    private boolean closed;
    private InetSocketAddress local;
    private InetSocketAddress remote;

    private NativeSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Takes ownership of an open socket descriptor (one that accept returned, or that the
     * caller made).
     */
    public static NativeSocket adopt(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + fd);
        }
        return new NativeSocket(fd);
    }

    /** A new non-blocking, close-on-exec socket of {@code address}'s family and {@code type}. */
    public static NativeSocket open(InetSocketAddress address, int type) {
        int fd = Socket.socket(SockAddr.family(address), type | Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Errors.exception("socket(" + (type == Socket.SOCK_STREAM ? "SOCK_STREAM" : "SOCK_DGRAM") + ")", -fd);
        }
        return new NativeSocket(fd);
    }

    /** A new non-blocking, close-on-exec Unix domain socket ({@code AF_UNIX}) of {@code type}. */
    public static NativeSocket openUnix(int type) {
        int fd = Socket.socket(Socket.AF_UNIX, type | Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Errors.exception("socket(AF_UNIX, " + (type == Socket.SOCK_STREAM ? "SOCK_STREAM" : "SOCK_DGRAM")
                    + ")", -fd);
        }
        return new NativeSocket(fd);
    }

    /** The descriptor, for the loop and the ring only. */
    public int fd() {
        return fd;
    }

    /** Whether {@link #close()} has not been called yet. */
    public boolean isOpen() {
        return !closed;
    }

    // ------------------------------------------------------------ streams

    /**
     * Receives into the thread's read buffer.
     *
     * @return bytes received (then in {@link #received(int)}), 0 at the peer's EOF, or
     *         {@link #AGAIN} when nothing is there
     * @throws NativeException when the connection failed (ECONNRESET...)
     */
    public int recv() {
        IoBuffers io = IoBuffers.get();
        return (int) Errors.ioResult(Socket.recv(fd, io.read, IoBuffers.SIZE, Socket.MSG_DONTWAIT), "recv", fd);
    }

    /** The bytes of the last {@link #recv()} on this thread: a reused view, valid until the next receive. */
    public static ByteBuffer received(int n) {
        return IoBuffers.get().readView.clear().limit(n);
    }

    /** Whether the read buffer holds more than one receive takes: a full buffer means more may be waiting. */
    public static boolean filledReadBuffer(int n) {
        return n >= IoBuffers.SIZE;
    }

    /**
     * Sends without blocking what the socket takes of {@code data}, from its position to its
     * limit; the position is not changed. Bytes just received ({@link #received}) are sent
     * from the read buffer itself, direct buffers from their own memory, heap bytes through
     * the thread's write buffer.
     *
     * @return the bytes sent; 0 when the socket takes nothing now
     * @throws NativeException when the connection failed (EPIPE, ECONNRESET...)
     */
    public int send(ByteBuffer data) {
        IoBuffers io = IoBuffers.get();
        if (data == io.readView) {
            // Echoing what was just read: send straight from the read buffer, no copy.
            return sendNative(io.read, data.position(), data.remaining());
        }
        if (data.isDirect()) {
            return sendNative(MemorySegment.ofBuffer(data), 0, data.remaining());
        }
        if (data.hasArray()) {
            return send(data.array(), data.arrayOffset() + data.position(), data.remaining());
        }
        byte[] copy = new byte[data.remaining()];
        data.get(data.position(), copy);
        return send(copy, 0, copy.length);
    }

    /** {@link #send(ByteBuffer)} for {@code len} bytes of an array from {@code off}. */
    public int send(byte[] a, int off, int len) {
        MemorySegment scratch = IoBuffers.get().write;
        int total = 0;
        while (total < len) {
            int chunk = Math.min(len - total, IoBuffers.SIZE);
            MemorySegment.copy(a, off + total, scratch, ValueLayout.JAVA_BYTE, 0, chunk);
            int n = sendNative(scratch, 0, chunk);
            total += n;
            if (n < chunk) {
                break;
            }
        }
        return total;
    }

    /** The thread's write buffer as a ByteBuffer, to fill for {@link #sendWriteBuffer}. */
    public static ByteBuffer writeBuffer() {
        return IoBuffers.get().writeView;
    }

    /** The capacity of {@link #writeBuffer()}. */
    public static int writeBufferSize() {
        return IoBuffers.SIZE;
    }

    /** Sends the first {@code len} bytes of the thread's {@link #writeBuffer()}; returns bytes sent (0: none taken now). */
    public int sendWriteBuffer(int len) {
        return sendNative(IoBuffers.get().write, 0, len);
    }

    private int sendNative(MemorySegment seg, long off, int len) {
        long n = Errors.ioResult(Socket.send(fd, seg, off, len, SEND_FLAGS), "send", fd);
        return n == AGAIN ? 0 : (int) n;
    }

    /**
     * Accepts one connection; the peer's address comes with it (accept4 writes it), so that
     * messages can name the peer even after a reset.
     *
     * @return the new socket (non-blocking, close-on-exec), or null when none is waiting
     * @throws NativeException when accept failed; its errno tells why (EMFILE, ECONNABORTED...)
     */
    public NativeSocket accept() {
        IoBuffers io = IoBuffers.get();
        io.addrLen.set(ValueLayout.JAVA_INT, 0, SockAddr.STORAGE_SIZE);
        int c = Socket.accept4(fd, io.addr, io.addrLen, Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC);
        if (c == AGAIN) {
            return null;
        }
        NativeSocket s = new NativeSocket(Errors.check(c, "accept4", fd));
        s.remote = SockAddr.read(io.addr);
        return s;
    }

    /** Listens with {@code backlog}. */
    public void listen(int backlog) {
        Errors.check(Socket.listen(fd, backlog), "listen", fd);
    }

    /**
     * Starts connecting to {@code to} without blocking.
     *
     * @return true when connected already, false while in progress (wait for OUT, then
     *         {@link #finishConnect})
     * @throws NativeException when the connect failed at once
     */
    public boolean connect(InetSocketAddress to) {
        IoBuffers io = IoBuffers.get();
        int len = SockAddr.write(to, io.addr);
        int r = Socket.connect(fd, io.addr, len);
        if (r == 0 || r == -Errno.EINPROGRESS) {
            remote = to;
            return r == 0;
        }
        throw Errors.exception(connectCall(to), -r);
    }

    /**
     * The outcome of a connect that was in progress, once the socket is writable.
     *
     * @throws NativeException with the connect's error (ECONNREFUSED...)
     */
    public void finishConnect(InetSocketAddress to) {
        int err = getInt(Socket.SOL_SOCKET, Socket.SO_ERROR);
        if (err != 0) {
            throw Errors.exception(connectCall(to), err < 0 ? -err : err);
        }
    }

    private String connectCall(InetSocketAddress to) {
        return "connect(fd=" + fd + ", " + AddressFormat.format(to) + ")";
    }

    /**
     * Whether the peer sent bytes that were not received yet (a peek, nothing is consumed):
     * closing a socket with unread input makes the kernel reset the connection.
     */
    public boolean hasPendingInput() {
        IoBuffers io = IoBuffers.get();
        return Socket.recv(fd, io.read, 1, Socket.MSG_PEEK | Socket.MSG_DONTWAIT) > 0;
    }

    /** Shuts the sending side down (FIN); quiet when the connection is gone already. */
    public void shutdownOutput() {
        Socket.shutdown(fd, Socket.SHUT_WR);
    }

    /** Arms SO_LINGER {on, 0 s}, so that {@link #close()} sends a reset; quiet when it fails. */
    public void lingerZero() {
        MemorySegment v = IoBuffers.get().optInt;
        v.set(ValueLayout.JAVA_INT, 0, 1);
        v.set(ValueLayout.JAVA_INT, 4, 0);
        Socket.setsockopt(fd, Socket.SOL_SOCKET, Socket.SO_LINGER, v, 8);
    }

    // ------------------------------------------------------------ options and addresses

    /** setsockopt with an int value; {@code what} names the option in the message. */
    public void setInt(int level, int name, int value, String what) {
        MemorySegment v = IoBuffers.get().optInt;
        v.set(ValueLayout.JAVA_INT, 0, value);
        int r = Socket.setsockopt(fd, level, name, v, 4);
        if (r < 0) {
            throw Errors.exception("setsockopt(fd=" + fd + ", " + what + ")", -r);
        }
    }

    /** getsockopt with an int value; returns -errno on failure. */
    public int getInt(int level, int name) {
        IoBuffers io = IoBuffers.get();
        io.addrLen.set(ValueLayout.JAVA_INT, 0, 4);
        int r = Socket.getsockopt(fd, level, name, io.optInt, io.addrLen);
        return r < 0 ? r : io.optInt.get(ValueLayout.JAVA_INT, 0);
    }

    /** Turns Nagle's algorithm off (TCP_NODELAY). */
    public void setNoDelay() {
        setInt(Socket.IPPROTO_TCP, Socket.TCP_NODELAY, 1, "TCP_NODELAY");
    }

    /** {@link #setNoDelay()}, quietly: it fails only for a connection reset meanwhile, which the next read reports. */
    public void setNoDelayQuietly() {
        try {
            setNoDelay();
        } catch (NativeException e) {
            // the read will tell
        }
    }

    /** The local address (asked once, then remembered), or null once closed. */
    public InetSocketAddress localAddress() {
        if (local == null && !closed) {
            IoBuffers io = IoBuffers.get();
            io.addrLen.set(ValueLayout.JAVA_INT, 0, SockAddr.STORAGE_SIZE);
            Errors.check(Socket.getsockname(fd, io.addr, io.addrLen), "getsockname", fd);
            local = SockAddr.read(io.addr);
        }
        return local;
    }

    /** The peer's address (asked once, then remembered), or null when it has none or once closed. */
    public InetSocketAddress remoteAddress() {
        if (remote == null && !closed) {
            IoBuffers io = IoBuffers.get();
            io.addrLen.set(ValueLayout.JAVA_INT, 0, SockAddr.STORAGE_SIZE);
            int r = Socket.getpeername(fd, io.addr, io.addrLen);
            remote = r < 0 ? null : SockAddr.read(io.addr);
        }
        return remote;
    }

    // ------------------------------------------------------------ Unix domain sockets

    /**
     * Connects a Unix domain socket without blocking: on Linux it is done at once, or it
     * fails (ECONNREFUSED when nobody listens, ENOENT when there is no such file, EAGAIN
     * when the listener's backlog is full).
     *
     * @return true when connected, false while in progress (wait for OUT, then {@link #finishConnect})
     * @throws NativeException when the connect failed
     */
    public boolean connect(UnixName to) {
        IoBuffers io = IoBuffers.get();
        int r = Socket.connect(fd, io.addr, to.write(io.addr));
        if (r == 0 || r == -Errno.EINPROGRESS) {
            return r == 0;
        }
        throw Errors.exception("connect(fd=" + fd + ", " + to + ")", -r);
    }

    /**
     * The Unix socket name of this socket's end ({@code getsockname}) or of its peer's
     * ({@code getpeername}).
     *
     * @return the name ({@link UnixName#UNNAMED} when it has none), or null when the call
     *         failed or the socket is not a Unix domain socket
     */
    public UnixName unixName(boolean peer) {
        IoBuffers io = IoBuffers.get();
        io.addrLen.set(ValueLayout.JAVA_INT, 0, SockAddr.STORAGE_SIZE);
        int r = peer ? Socket.getpeername(fd, io.addr, io.addrLen) : Socket.getsockname(fd, io.addr, io.addrLen);
        return r < 0 ? null : UnixName.read(io.addr, io.addrLen.get(ValueLayout.JAVA_INT, 0));
    }

    /**
     * The credentials of a connected Unix socket's peer, as the kernel recorded them when the
     * connection was made ({@code SO_PEERCRED}).
     *
     * @return {@code {pid, uid, gid}}, or null when the kernel has none for this socket
     */
    public int[] peerCredentials() {
        IoBuffers io = IoBuffers.get();
        io.addrLen.set(ValueLayout.JAVA_INT, 0, 12);
        if (Socket.getsockopt(fd, Socket.SOL_SOCKET, Socket.SO_PEERCRED, io.optInt, io.addrLen) < 0) {
            return null;
        }
        return new int[] {io.optInt.get(ValueLayout.JAVA_INT, 0), io.optInt.get(ValueLayout.JAVA_INT, 4),
            io.optInt.get(ValueLayout.JAVA_INT, 8)};
    }

    /** Closes the descriptor, the first time only. */
    public void close() {
        if (!closed) {
            closed = true;
            Unistd.close(fd);
        }
    }

    @Override
    public String toString() {
        return "socket fd=" + fd + (closed ? " (closed)" : "");
    }
}
