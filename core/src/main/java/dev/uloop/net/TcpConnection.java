package dev.uloop.net;

import dev.uloop.EventLoop;
import dev.uloop.Events;
import dev.uloop.NativeException;
import dev.uloop.internal.net.IoBuffers;
import dev.uloop.internal.net.Sockets;
import dev.uloop.internal.poller.IoUringCompletions;
import dev.uloop.internal.poller.LoopAccess;
import dev.uloop.internal.posix.IoUring;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.Socket;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * A non-blocking TCP connection driving a {@link Protocol}: the seeds' per-connection
 * handler with its message queue. Reads into the loop's one read buffer; writes go straight
 * to the socket and only the rest is queued (as heap chunks), with OUT asked for only while
 * the queue is not empty.
 *
 * <p>On a loop with the {@link dev.uloop.Backend#IO_URING_COMPLETION} backend the kernel
 * does the I/O instead: one multishot RECV per connection delivers chunks in buffers of the
 * loop's buffer ring (handed to {@link Protocol#dataReceived} and back to the kernel right
 * after), and writes are copied into a native send buffer with one SEND in flight, the rest
 * queued as above. Pausing reading cancels the RECV (what was already received is kept and
 * delivered on resume); the socket is closed once its requests have ended.
 */
public final class TcpConnection implements Transport {
    private static final System.Logger LOG = System.getLogger("uloop.net.TcpConnection");
    private static final int SEND_FLAGS = Socket.MSG_DONTWAIT | Socket.MSG_NOSIGNAL;
    private static final int READS_PER_EVENT = 4;
    /**
     * How long a gracefully closed connection waits for the peer's EOF while discarding its
     * input. Closing a socket with unread input makes the kernel send a reset, which would
     * destroy replies the peer has not read yet (nginx's "lingering close" solves the same).
     */
    static final Duration LINGER = Duration.ofSeconds(2);

    private final EventLoop loop;
    private final int fd;
    private final Protocol protocol;
    private final Consumer<TcpConnection> onClosed;      // lets a server forget the connection
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>(4);
    private int headOffset;          // bytes of the queue's first chunk already sent
    private long queued;             // bytes in the queue
    private int high = DEFAULT_HIGH_WATER;
    private int low = DEFAULT_LOW_WATER;
    private int interest;            // what the loop watches for us
    private boolean readingPaused;   // by the protocol
    private boolean eof;             // the peer's EOF was read
    private boolean writingPaused;   // above the high-water mark
    private boolean closing;         // close() called: flush, then close
    private boolean eofPending;      // writeEof() called: shutdown(SHUT_WR) once flushed
    private boolean lingering;       // output shut down; discarding input until the peer's EOF
    private boolean closed;
    private InetSocketAddress local;
    private InetSocketAddress remote;

    // Completion mode (io_uring-completion backend); uring is null on readiness backends.
    private final IoUringCompletions uring;
    private final IoUringCompletions.Handler completions = this::completed;
    private int slot = -1;
    private IoUringCompletions.SendBuffer sending;   // the buffer of the SEND in flight, or null
    private int sendOff;             // bytes of it sent so far
    private int sendLen;             // bytes in it
    private IoUringCompletions.SendBuffer next;      // written while a SEND is in flight, sent after it
    private int nextLen;             // bytes in it
    private ChunkStash stash;        // chunks received while reading was paused, or null
    private boolean stashedEof;      // the EOF arrived after the stashed chunks
    private boolean draining;        // a task to deliver the stash is queued

    /**
     * Takes over a connected, non-blocking socket: registers it with the loop and calls
     * {@link Protocol#connectionMade}.
     *
     * @param loop     the loop to run on (call from its thread, or before it runs)
     * @param fd       a connected non-blocking TCP socket, now owned by the connection
     * @param protocol what to do with the connection
     * @param onClosed called once after the socket is closed (may be null)
     * @return the connection
     */
    public static TcpConnection adopt(EventLoop loop, int fd, Protocol protocol, Consumer<TcpConnection> onClosed) {
        IoUringCompletions uring = LoopAccess.completions(loop);
        TcpConnection c = new TcpConnection(loop, fd, protocol, onClosed, uring);
        try {
            if (uring != null) {
                c.slot = uring.attach(c.completions, fd);
                uring.recv(c.slot);
            } else {
                loop.add(fd, Events.IN, c::onEvents);
            }
        } catch (RuntimeException e) {
            Sockets.close(fd);
            throw e;
        }
        c.interest = Events.IN;
        try {
            protocol.connectionMade(c);
        } catch (RuntimeException e) {
            c.fail(e);
        }
        return c;
    }

    private TcpConnection(EventLoop loop, int fd, Protocol protocol, Consumer<TcpConnection> onClosed,
                          IoUringCompletions uring) {
        this.uring = uring;
        this.loop = loop;
        this.fd = fd;
        this.protocol = protocol;
        this.onClosed = onClosed;
    }

    /**
     * The socket's descriptor, for diagnostics. Service code should not need it.
     *
     * @return the fd, or -1 once closed
     */
    public int fd() {
        return closed ? -1 : fd;
    }

    /**
     * The protocol driving this connection.
     *
     * @return the protocol
     */
    public Protocol protocol() {
        return protocol;
    }

    // ------------------------------------------------------------ events

    private void onEvents(int fd, int events) {
        if (lingering) {
            discardInput();
            return;
        }
        if ((events & Events.OUT) != 0) {
            flush();
        }
        if ((events & Events.IN) != 0 && wantRead()) {
            read();
        }
    }

    private boolean wantRead() {
        return !closed && !closing && !eof && !readingPaused;
    }

    private void read() {
        IoBuffers io = IoBuffers.get();
        for (int i = 0; i < READS_PER_EVENT && wantRead(); i++) {
            long n = Socket.recv(fd, io.read, IoBuffers.SIZE, Socket.MSG_DONTWAIT);
            if (n > 0) {
                ByteBuffer view = io.readView;
                view.clear().limit((int) n);
                try {
                    protocol.dataReceived(view);
                } catch (RuntimeException e) {
                    fail(e);
                    return;
                }
                if (n < IoBuffers.SIZE) {
                    return;
                }
            } else if (n == 0) {
                eofArrived();
                return;
            } else if (n == -Errno.EAGAIN) {
                return;
            } else {
                lost(new NativeException("recv(fd=" + fd + ")", (int) -n));
                return;
            }
        }
    }

    private void eofArrived() {
        eof = true;
        boolean keepOpen;
        try {
            keepOpen = protocol.eofReceived();
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        if (keepOpen) {
            updateInterest();
        } else {
            close();
        }
    }

    // ------------------------------------------------------------ completion mode

    /** A request of this connection finished (completion mode). */
    private void completed(int op, int res, int flags) {
        if (op == IoUringCompletions.OP_SEND) {
            sent(res);
        } else {
            received(res, flags);
        }
    }

    private void received(int res, int flags) {
        boolean more = (flags & IoUring.IORING_CQE_F_MORE) != 0;
        if (res > 0) {
            int bid = flags >>> IoUring.IORING_CQE_BUFFER_SHIFT;
            if (closed || closing || eof || lingering) {
                uring.recycle(bid);        // after close(): discarded, as the readiness path never reads it
            } else if (readingPaused || stashed()) {
                stash(bid, res);
            } else {
                deliver(bid, res);
            }
        } else if (res == 0) {
            if (lingering) {
                closeNow(null);            // the peer's EOF: now the close is clean
            } else if (readingPaused || stashed()) {
                stashedEof = true;
            } else if (!closing && !eof) {
                eofArrived();
            }
            return;                        // nothing more to receive
        } else if (res == -Errno.ENOBUFS) {
            if (!more && uring.heldBuffers() >= IoUringCompletions.BUFFERS / 2) {
                // Most buffers are held by paused connections: try again in a moment, not at once.
                loop.schedule(Duration.ofMillis(1), this::armRecv);
                return;
            }
        } else if (res != -Errno.ECANCELED) {
            if (lingering) {
                closeNow(null);
            } else if (!closed) {
                lost(new NativeException("recv(fd=" + fd + ")", -res));
            }
            return;
        }
        if (!more) {
            armRecv();
        }
    }

    /** Queues a multishot RECV if the connection wants input and none is queued or in flight. */
    private void armRecv() {
        if (!closed && (lingering || wantRead() && !stashed()) && !uring.busy(slot, IoUringCompletions.OP_RECV)) {
            uring.recv(slot);
        }
    }

    private void deliver(int bid, int len) {
        ByteBuffer view = uring.view(bid, len);
        try {
            protocol.dataReceived(view);
        } catch (RuntimeException e) {
            uring.recycle(bid);
            fail(e);
            return;
        }
        uring.recycle(bid);
    }

    private boolean stashed() {
        return stash != null && !stash.isEmpty();
    }

    private void stash(int bid, int len) {
        if (stash == null) {
            stash = new ChunkStash();
        }
        stash.add(bid, len);
    }

    /** Delivers what arrived while reading was paused, in order, for as long as reading stays on. */
    private void drainStash() {
        draining = false;
        while (stashed() && wantRead()) {
            long chunk = stash.take();     // taken before the callback, which may close the connection
            deliver((int) (chunk >>> 32), (int) chunk);
        }
        if (closed) {
            return;
        }
        if (!stashed() && stashedEof && wantRead()) {
            stashedEof = false;
            eofArrived();
            return;
        }
        armRecv();
    }

    /** Hands back the buffers of the chunks not delivered yet. */
    private void releaseStash() {
        if (stash != null) {
            stash.recycleAll(uring);
        }
    }

    /**
     * Completion-mode write: into the send buffer when no SEND is in flight; while one is,
     * into a second buffer that goes out when it completes; past both, onto the heap queue.
     */
    private void submitWrite(ByteBuffer data, byte[] array, int off, int len) {
        int taken = 0;
        if (sending == null) {
            sending = uring.takeSendBuffer();
            taken = put(sending, 0, data, array, off, len);
            sendOff = 0;
            sendLen = taken;
            uring.send(slot, sending.address, taken);
        } else if (queue.isEmpty() && nextLen < IoUringCompletions.SEND_BUFFER_SIZE) {
            if (next == null) {
                next = uring.takeSendBuffer();
            }
            taken = put(next, nextLen, data, array, off, len);
            nextLen += taken;
        }
        queued += taken;
        if (taken < len) {
            byte[] rest = new byte[len - taken];
            if (data != null) {
                data.get(data.position() + taken, rest);
            } else {
                System.arraycopy(array, off + taken, rest, 0, rest.length);
            }
            enqueue(rest);
        } else {
            checkHighWater();
        }
    }

    /** Copies what fits of a write into {@code b} at {@code at}; returns the byte count. */
    private static int put(IoUringCompletions.SendBuffer b, int at, ByteBuffer data, byte[] array, int off, int len) {
        int n = Math.min(len, IoUringCompletions.SEND_BUFFER_SIZE - at);
        if (data != null) {
            b.bytes.put(at, data, data.position(), n);
        } else {
            b.bytes.put(at, array, off, n);
        }
        return n;
    }

    private void sent(int res) {
        if (closed) {
            return;
        }
        if (res < 0) {
            lost(new NativeException("send(fd=" + fd + ")", -res));
            return;
        }
        sendOff += res;
        queued -= res;
        if (sendOff < sendLen) {
            uring.send(slot, sending.address + sendOff, sendLen - sendOff);   // a short send: the rest
            return;
        }
        int n = 0;
        if (next != null) {
            uring.giveSendBuffer(sending);
            sending = next;
            n = nextLen;
            next = null;
            nextLen = 0;
        }
        while (!queue.isEmpty() && n < IoUringCompletions.SEND_BUFFER_SIZE) {
            byte[] head = queue.peekFirst();
            int chunk = Math.min(head.length - headOffset, IoUringCompletions.SEND_BUFFER_SIZE - n);
            sending.bytes.put(n, head, headOffset, chunk);
            n += chunk;
            headOffset += chunk;
            if (headOffset == head.length) {
                queue.pollFirst();
                headOffset = 0;
            }
        }
        if (n > 0) {
            sendOff = 0;
            sendLen = n;
            uring.send(slot, sending.address, n);
        } else {
            uring.giveSendBuffer(sending);
            sending = null;
        }
        drained();
    }

    // ------------------------------------------------------------ writing

    @Override
    public void write(ByteBuffer data) {
        int len = data.remaining();
        if (len == 0 || closing || eofPending || closed) {
            return;
        }
        if (uring != null) {
            submitWrite(data, null, 0, len);
            return;
        }
        int sent = 0;
        if (queued == 0) {
            sent = sendNow(data);
            if (sent < 0) {
                return;     // the connection is being lost
            }
            if (sent == len) {
                return;
            }
        }
        byte[] rest = new byte[len - sent];
        data.get(data.position() + sent, rest);
        enqueue(rest);
    }

    @Override
    public void write(byte[] data) {
        if (data.length == 0 || closing || eofPending || closed) {
            return;
        }
        if (uring != null) {
            submitWrite(null, data, 0, data.length);
            return;
        }
        int sent = 0;
        if (queued == 0) {
            sent = sendHeap(data, 0, data.length);
            if (sent < 0) {
                return;
            }
            if (sent == data.length) {
                return;
            }
        }
        enqueue(sent == 0 ? data.clone() : java.util.Arrays.copyOfRange(data, sent, data.length));
    }

    /** Sends what the socket takes now; returns bytes sent, or -1 when the connection failed. */
    private int sendNow(ByteBuffer data) {
        IoBuffers io = IoBuffers.get();
        if (data == io.readView) {
            // Echoing what was just read: send straight from the read buffer, no copy.
            return sendNative(io.read, data.position(), data.remaining());
        }
        if (data.isDirect()) {
            MemorySegment seg = MemorySegment.ofBuffer(data);
            return sendNative(seg, 0, data.remaining());
        }
        if (data.hasArray()) {
            return sendHeap(data.array(), data.arrayOffset() + data.position(), data.remaining());
        }
        byte[] copy = new byte[data.remaining()];
        data.get(data.position(), copy);
        return sendHeap(copy, 0, copy.length);
    }

    private int sendHeap(byte[] a, int off, int len) {
        MemorySegment scratch = IoBuffers.get().write;
        int total = 0;
        while (total < len) {
            int chunk = Math.min(len - total, IoBuffers.SIZE);
            MemorySegment.copy(a, off + total, scratch, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, chunk);
            int n = sendNative(scratch, 0, chunk);
            if (n < 0) {
                return -1;
            }
            total += n;
            if (n < chunk) {
                break;
            }
        }
        return total;
    }

    /** One send(2); returns bytes sent (0 on EAGAIN), or -1 after starting to lose the connection. */
    private int sendNative(MemorySegment seg, long off, int len) {
        long n = Socket.send(fd, off == 0 ? seg : seg.asSlice(off), len, SEND_FLAGS);
        if (n >= 0) {
            return (int) n;
        }
        if (n == -Errno.EAGAIN) {
            return 0;
        }
        // EPIPE, ECONNRESET...: report it after the current callback, not inside the protocol's write().
        NativeException e = new NativeException("send(fd=" + fd + ")", (int) -n);
        closing = true;
        queue.clear();
        queued = 0;
        loop.execute(() -> lost(e));
        return -1;
    }

    private void enqueue(byte[] chunk) {
        queue.addLast(chunk);
        queued += chunk.length;
        updateInterest();
        checkHighWater();
    }

    /** Pauses the writer once more than the high-water mark is waiting to be sent. */
    private void checkHighWater() {
        if (!writingPaused && queued > high) {
            writingPaused = true;
            try {
                protocol.pauseWriting();
            } catch (RuntimeException e) {
                fail(e);
            }
        }
    }

    private void flush() {
        MemorySegment scratch = IoBuffers.get().write;
        while (!queue.isEmpty() && !closed) {
            byte[] head = queue.peekFirst();
            int chunk = Math.min(head.length - headOffset, IoBuffers.SIZE);
            MemorySegment.copy(head, headOffset, scratch, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, chunk);
            long n = Socket.send(fd, scratch, chunk, SEND_FLAGS);
            if (n == -Errno.EAGAIN) {
                break;
            }
            if (n < 0) {
                lost(new NativeException("send(fd=" + fd + ")", (int) -n));
                return;
            }
            headOffset += (int) n;
            queued -= n;
            if (headOffset == head.length) {
                queue.pollFirst();
                headOffset = 0;
            }
            if (n < chunk) {
                break;
            }
        }
        if (!closed) {
            drained();
        }
    }

    /** After queued bytes went out: resume the writer below the low-water mark, finish a close or half-close. */
    private void drained() {
        if (writingPaused && queued <= low) {
            writingPaused = false;
            try {
                protocol.resumeWriting();
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
        }
        if (queued == 0) {
            if (closing) {
                finishClose();
                return;
            }
            if (eofPending) {
                Socket.shutdown(fd, Socket.SHUT_WR);
            }
        }
        updateInterest();
    }

    private void updateInterest() {
        if (closed || lingering) {
            return;
        }
        if (uring != null) {
            armRecv();
            return;
        }
        int want = (wantRead() ? Events.IN : 0) | (queued > 0 ? Events.OUT : 0);
        if (want != interest) {
            loop.modify(fd, want);
            interest = want;
        }
    }

    // ------------------------------------------------------------ closing

    @Override
    public void writeEof() {
        if (closing || eofPending || closed) {
            return;
        }
        eofPending = true;
        if (queued == 0) {
            Socket.shutdown(fd, Socket.SHUT_WR);
        }
    }

    @Override
    public void close() {
        if (closing || closed) {
            return;
        }
        closing = true;
        if (queued == 0) {
            finishClose();
        } else {
            updateInterest();      // stop reading, keep flushing
        }
    }

    /**
     * Everything is sent: send our FIN, then wait (up to {@link #LINGER}) for the peer's,
     * discarding what it still sends, so that the close cannot turn into a reset.
     */
    private void finishClose() {
        if (eof) {
            closeNow(null);        // the peer is done sending: nothing can be left unread
            return;
        }
        Socket.shutdown(fd, Socket.SHUT_WR);
        lingering = true;
        if (uring != null) {
            releaseStash();
            armRecv();
        } else if (interest != Events.IN) {
            loop.modify(fd, Events.IN);
            interest = Events.IN;
        }
        loop.schedule(LINGER, () -> closeNow(null));
    }

    private void discardInput() {
        IoBuffers io = IoBuffers.get();
        for (int i = 0; i < READS_PER_EVENT && !closed; i++) {
            long n = Socket.recv(fd, io.read, IoBuffers.SIZE, Socket.MSG_DONTWAIT);
            if (n == -Errno.EAGAIN) {
                return;
            }
            if (n <= 0) {
                closeNow(null);    // EOF (or an error): now the close is clean
                return;
            }
        }
    }

    @Override
    public void abort() {
        if (closed) {
            return;
        }
        queue.clear();
        queued = 0;
        Sockets.lingerZero(fd);
        closeNow(null);
    }

    /** A protocol callback threw: log it and reset the connection. */
    private void fail(RuntimeException e) {
        LOG.log(Level.ERROR, "protocol " + protocol.getClass().getName() + " failed on fd " + fd + "; aborting", e);
        queue.clear();
        queued = 0;
        if (!closed) {
            Sockets.lingerZero(fd);
        }
        closeNow(e);
    }

    private void lost(Throwable cause) {
        closeNow(cause);
    }

    private void closeNow(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        closing = true;
        queue.clear();
        queued = 0;
        if (uring != null) {
            uring.cancel(slot);        // the socket is closed only once its requests have ended
            uring.detach(slot);
            releaseStash();
            if (sending != null) {
                uring.giveSendBuffer(sending);
                sending = null;
            }
            if (next != null) {
                uring.giveSendBuffer(next);
                next = null;
                nextLen = 0;
            }
        } else if (!loop.isClosed()) {
            loop.remove(fd);
        }
        Sockets.close(fd);
        if (onClosed != null) {
            onClosed.accept(this);
        }
        try {
            protocol.connectionLost(cause);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "connectionLost of " + protocol.getClass().getName() + " threw", e);
        }
    }

    // ------------------------------------------------------------ the rest of Transport

    @Override
    public void pauseReading() {
        if (uring != null) {
            if (!readingPaused && !closed) {
                readingPaused = true;
                uring.cancel(slot, IoUringCompletions.OP_RECV);    // chunks already on their way are stashed
            }
            return;
        }
        readingPaused = true;
        updateInterest();
    }

    @Override
    public void resumeReading() {
        if (uring != null) {
            if (readingPaused && !closed) {
                readingPaused = false;
                if (stashed() || stashedEof) {
                    if (!draining) {
                        draining = true;
                        loop.execute(this::drainStash);   // delivered from the loop, not inside this call
                    }
                } else {
                    armRecv();
                }
            }
            return;
        }
        readingPaused = false;
        updateInterest();
    }

    @Override
    public void setWriteBufferLimits(int high, int low) {
        if (low < 0 || high < low) {
            throw new IllegalArgumentException("need 0 <= low <= high, got high=" + high + " low=" + low);
        }
        this.high = high;
        this.low = low;
    }

    @Override
    public long writeBufferSize() {
        return queued;
    }

    @Override
    public boolean isClosing() {
        return closing || closed;
    }

    /**
     * Whether the socket is closed and {@link Protocol#connectionLost} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public InetSocketAddress localAddress() {
        if (local == null && !closed) {
            local = Sockets.localAddress(fd);
        }
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        if (remote == null && !closed) {
            remote = Sockets.remoteAddress(fd);
        }
        return remote;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public String toString() {
        return "TcpConnection[fd=" + fd + ", " + Addresses.format(remote) + (closed ? ", closed" : "") + "]";
    }
}
