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
 * back to the kernel right after; writes are copied into a chain of pooled native send
 * buffers, the first one in flight with one SEND, the others filled behind it: nothing is
 * allocated per write, and the owner's write queue only counts the bytes.
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
    private SendBuffers.Buffer sending;   // the buffer of the SEND in flight (head of the chain), or null
    private SendBuffers.Buffer last;      // the chain's last buffer, filled by writes
    private int sendOff;                  // bytes of the head sent so far
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
     * Appends the bytes to the chain: into the last buffer while it has room (never into the
     * one in flight), then into new ones. With no SEND in flight, the first buffer goes out.
     */
    private void submit(ByteBuffer data, byte[] array, int off, int len) {
        if (len == 0) {
            return;
        }
        queue.held(len);
        boolean idle = sending == null;
        int done = 0;
        while (done < len) {
            SendBuffers.Buffer b = last;
            if (b == null || b == sending || b.length == SendBuffers.SIZE) {
                b = pool.take();
                if (last == null) {
                    sending = b;
                } else {
                    last.next = b;
                }
                last = b;
            }
            int n = Math.min(len - done, SendBuffers.SIZE - b.length);
            if (data != null) {
                b.bytes.put(b.length, data, data.position() + done, n);
            } else {
                b.bytes.put(b.length, array, off + done, n);
            }
            b.length += n;
            done += n;
        }
        if (idle) {
            sendOff = 0;
            io.send(slot, sending.address, sending.length);
        }
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
        if (sendOff < sending.length) {
            io.send(slot, sending.address + sendOff, sending.length - sendOff);   // a short send: the rest
            return;
        }
        SendBuffers.Buffer done = sending;
        sending = done.next;
        pool.give(done);
        if (sending == null) {
            last = null;
        } else {
            sendOff = 0;
            io.send(slot, sending.address, sending.length);
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
        SendBuffers.Buffer chain = sending;
        sending = null;
        last = null;
        // The socket is closed, and the send buffers reused, only once its requests have
        // ended: a SEND in flight may still read its buffer.
        io.release(slot, () -> {
            socket.close();
            pool.giveAll(chain);
        });
    }

}
