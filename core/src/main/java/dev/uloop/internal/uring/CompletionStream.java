package dev.uloop.internal.uring;

import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.Reactor;
import dev.uloop.internal.net.SocketStream;
import dev.uloop.internal.net.StreamOwner;
import dev.uloop.internal.net.WriteQueue;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.IoUring;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A connection's I/O on io_uring-completion: the kernel receives and sends. One multishot
 * RECV delivers chunks in buffers of the loop's buffer ring, each handed to the owner and
 * back to the kernel right after; writes are copied into a native send buffer with one SEND
 * in flight, into a second buffer while it is, and past both onto the owner's write queue.
 * Pausing reading cancels the RECV; what was already received is held in a
 * {@link ChunkStash} and delivered, in order, on resume. The socket is closed once its
 * requests have ended.
 */
final class CompletionStream extends SocketStream implements SocketIo.Owner {
    /** How long a receive waits for buffers when paused connections hold most of them. */
    private static final Duration NO_BUFFERS_RETRY = Duration.ofMillis(1);

    private final SocketIo io;
    private final ReceiveBuffers buffers;
    private final SendBuffers pool;
    private final Reactor loop;
    private final StreamOwner owner;
    private final WriteQueue queue;
    private int slot = -1;
    private SendBuffers.Buffer sending;   // the buffer of the SEND in flight, or null
    private int sendOff;                  // bytes of it sent so far
    private int sendLen;                  // bytes in it
    private SendBuffers.Buffer next;      // written while a SEND is in flight, sent after it
    private int nextLen;                  // bytes in it
    private ChunkStash stash;             // chunks received while reading was paused, or null
    private boolean stashedEof;           // the EOF arrived after the stashed chunks
    private boolean draining;             // a task to deliver the stash is queued
    private boolean lingering;            // output shut: discarding input until the peer's EOF
    private boolean closed;

    CompletionStream(SocketIo io, Reactor loop, NativeSocket socket, StreamOwner owner) {
        super(socket);
        this.io = io;
        this.buffers = io.buffers();
        this.pool = io.sendBuffers();
        this.loop = loop;
        this.owner = owner;
        this.queue = owner.queue();
    }

    @Override
    public void start() {
        slot = io.attach(this, socket.fd());
        io.recv(slot);
    }

    /** A request of this connection finished. */
    @Override
    public void complete(int op, int res, int flags) {
        if (op == SocketIo.OP_SEND) {
            sent(res);
        } else {
            received(res, flags);
        }
    }

    // ------------------------------------------------------------ receiving

    private void received(int res, int flags) {
        boolean more = (flags & IoUring.IORING_CQE_F_MORE) != 0;
        if (res > 0) {
            int bid = flags >>> IoUring.IORING_CQE_BUFFER_SHIFT;
            if (closed || lingering || !owner.inputOpen()) {
                buffers.recycle(bid);           // after close(): discarded, as the readiness path never reads it
            } else if (!owner.wantsInput() || stashed()) {
                stash(bid, res);
            } else {
                deliver(bid, res);
            }
        } else if (res == 0) {
            if (lingering) {
                owner.lingerEnded();       // the peer's EOF: now the close is clean
            } else if (owner.inputOpen() && (!owner.wantsInput() || stashed())) {
                stashedEof = true;
            } else if (owner.inputOpen()) {
                owner.eof();
            }
            return;                        // nothing more to receive
        } else if (res == -Errno.ENOBUFS) {
            if (!more && buffers.held() >= ReceiveBuffers.COUNT / 2) {
                // Most buffers are held by paused connections: try again in a moment, not at once.
                loop.after(NO_BUFFERS_RETRY, this::armRecv);
                return;
            }
        } else if (res != -Errno.ECANCELED) {
            if (lingering) {
                owner.lingerEnded();
            } else if (!closed) {
                owner.lost(Errors.exception("recv", socket.fd(), -res));
            }
            return;
        }
        if (!more) {
            armRecv();
        }
    }

    /** Queues a multishot RECV if the connection wants input and none is queued or in flight. */
    private void armRecv() {
        if (!closed && (lingering || owner.wantsInput() && !stashed()) && !io.busy(slot, SocketIo.OP_RECV)) {
            io.recv(slot);
        }
    }

    private void deliver(int bid, int len) {
        owner.received(buffers.view(bid, len));     // a protocol that throws is failed by its connection
        buffers.recycle(bid);
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
        while (stashed() && owner.wantsInput()) {
            long chunk = stash.take();     // taken before the callback, which may close the connection
            deliver((int) (chunk >>> 32), (int) chunk);
        }
        if (closed) {
            return;
        }
        if (!stashed() && stashedEof && owner.wantsInput()) {
            stashedEof = false;
            owner.eof();
            return;
        }
        armRecv();
    }

    /** Hands back the buffers of the chunks not delivered yet. */
    private void releaseStash() {
        if (stash != null) {
            stash.recycleAll(buffers);
        }
    }

    @Override
    public void pauseReading() {
        if (!closed) {
            io.cancel(slot, SocketIo.OP_RECV);    // chunks already on their way are stashed
        }
    }

    @Override
    public void resumeReading() {
        if (closed) {
            return;
        }
        if (stashed() || stashedEof) {
            if (!draining) {
                draining = true;
                loop.execute(this::drainStash);   // delivered from the loop, not inside this call
            }
        } else {
            armRecv();
        }
    }

    @Override
    public void interestChanged() {
        if (!closed && !lingering) {
            armRecv();
        }
    }

    // ------------------------------------------------------------ sending

    @Override
    public void write(ByteBuffer data) {
        submit(data, null, 0, data.remaining());
    }

    @Override
    public void write(byte[] data, int off, int len) {
        submit(null, data, off, len);
    }

    /**
     * Into the send buffer when no SEND is in flight; while one is, into a second buffer
     * that goes out when it completes; past both, onto the heap queue.
     */
    private void submit(ByteBuffer data, byte[] array, int off, int len) {
        int taken = 0;
        if (sending == null) {
            sending = pool.take();
            taken = put(sending, 0, data, array, off, len);
            sendOff = 0;
            sendLen = taken;
            io.send(slot, sending.address, taken);
        } else if (!queue.hasChunks() && nextLen < SendBuffers.SIZE) {
            if (next == null) {
                next = pool.take();
            }
            taken = put(next, nextLen, data, array, off, len);
            nextLen += taken;
        }
        queue.held(taken);
        if (taken < len) {
            if (data != null) {
                queue.add(data, taken);
            } else {
                queue.add(array, off, len, taken);
            }
            interestChanged();
        }
    }

    /** Copies what fits of a write into {@code b} at {@code at}; returns the byte count. */
    private static int put(SendBuffers.Buffer b, int at, ByteBuffer data, byte[] array, int off, int len) {
        int n = Math.min(len, SendBuffers.SIZE - at);
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
            owner.lost(Errors.exception("send", socket.fd(), -res));
            return;
        }
        sendOff += res;
        queue.held(-res);
        if (sendOff < sendLen) {
            io.send(slot, sending.address + sendOff, sendLen - sendOff);   // a short send: the rest
            return;
        }
        int n = 0;
        if (next != null) {
            pool.give(sending);
            sending = next;
            n = nextLen;
            next = null;
            nextLen = 0;
        }
        int moved = queue.copyTo(sending.bytes, n, SendBuffers.SIZE - n);
        queue.remove(moved);
        queue.held(moved);
        n += moved;
        if (n > 0) {
            sendOff = 0;
            sendLen = n;
            io.send(slot, sending.address, n);
        } else {
            pool.give(sending);
            sending = null;
        }
        owner.drained();
    }

    // ------------------------------------------------------------ closing

    @Override
    public void linger() {
        lingering = true;
        releaseStash();
        armRecv();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        releaseStash();
        SendBuffers.Buffer inFlight = sending;
        SendBuffers.Buffer waiting = next;
        sending = null;
        next = null;
        nextLen = 0;
        // The socket is closed, and the send buffers reused, only once its requests have
        // ended: a SEND in flight may still read its buffer.
        io.release(slot, () -> {
            socket.close();
            if (inFlight != null) {
                pool.give(inFlight);
            }
            if (waiting != null) {
                pool.give(waiting);
            }
        });
    }

}
