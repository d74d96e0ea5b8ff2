package dev.uloop.internal.poller;

import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.IoUring;
import dev.uloop.internal.posix.IoUringProbe;
import dev.uloop.internal.posix.Socket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Completion-based socket I/O on the ring of an {@link IoUringPoller} (the
 * {@code io_uring-completion} backend, Linux 6.0+): the kernel accepts, receives and sends,
 * and the loop handles finished operations. The network layer uses it in place of
 * readiness for TCP; everything else on the loop still waits for readiness on the same ring.
 *
 * <h2>Owners and user_data</h2>
 * An owner (a connection, a listening socket) {@link #attach}es and gets a slot. Its requests
 * carry {@code user_data = 1<<63 | generation<<32 | slot<<8 | op}; at most one request per
 * op is in flight per slot. {@link #detach} bumps the slot's generation, so a completion that
 * arrives later is recognised as stale and dropped (its buffer, if it carries one, goes back
 * to the buffer ring). Poll requests have user_data {@code >= 0}, the poller's internal
 * requests -1.
 *
 * <h2>Queued, then written in the wait</h2>
 * {@link #recv}, {@link #send} and {@link #accept} only queue the request; {@link #prepare}
 * writes the SQEs just before the loop's wait, so they are submitted with it, in the same
 * {@code io_uring_enter}, and only ever from the loop's thread.
 *
 * <h2>Buffers</h2>
 * Receives take buffers from one provided buffer ring per loop ({@value #BUFFERS} buffers of
 * {@value #BUFFER_SIZE} bytes, {@code IORING_REGISTER_PBUF_RING}); the owner reads the
 * completion's buffer through {@link #view} and hands it back with {@link #recycle}. When the
 * ring runs dry a multishot receive ends with -ENOBUFS and is queued again. Sends go from
 * {@value #SEND_BUFFER_SIZE}-byte native buffers taken from a pool ({@link #takeSendBuffer}),
 * whose bytes stay put until the SEND completes. Nothing is allocated per operation once the
 * pools have grown to the load.
 *
 * <h2>Closing</h2>
 * A socket may be closed only when no request on it is in flight: until then the kernel
 * holds the file (a close would not send the FIN), and the number could be reused under a
 * stale request. {@link #cancel} cancels every request on the socket
 * ({@code IORING_OP_ASYNC_CANCEL} by fd) and waits, in a few non-blocking enters, until their
 * last completions are in the ring.
 */
public final class IoUringCompletions {
    private static final System.Logger LOG = System.getLogger("uloop.poller.IoUring");

    /** Handles the completions of one owner's requests. */
    public interface Handler {
        /**
         * One completion.
         *
         * @param op    {@link #OP_RECV}, {@link #OP_SEND} or {@link #OP_ACCEPT}
         * @param res   the result: bytes, a new socket, or -errno
         * @param flags the CQE flags: {@code IORING_CQE_F_MORE} while a multishot request stays
         *              armed; for a receive with data, the buffer id in the upper 16 bits
         */
        void complete(int op, int res, int flags);
    }

    public static final int OP_RECV = 1;
    public static final int OP_SEND = 2;
    public static final int OP_ACCEPT = 3;
    private static final int OP_CANCEL = 4;      // queued only: cancel the request whose user_data is in addr
    private static final int OP_NONE = 5;        // queued only: a dropped request

    /** Receive buffers per loop. */
    public static final int BUFFERS = 512;
    /** Bytes per receive buffer. */
    public static final int BUFFER_SIZE = 16 * 1024;
    /** Bytes per send buffer. */
    public static final int SEND_BUFFER_SIZE = 16 * 1024;
    private static final int BUFFER_GROUP = 0;
    private static final long MARK = Long.MIN_VALUE;
    private static final int GEN_MASK = 0x3FFF_FFFF;

    /** The opcodes completion mode needs; their presence (SEND_ZC) also says Linux 6.0+ for multishot RECV. */
    private static final int[] REQUIRED_OPS = {IoUring.IORING_OP_ACCEPT, IoUring.IORING_OP_RECV,
        IoUring.IORING_OP_SEND, IoUring.IORING_OP_SEND_ZC, IoUring.IORING_OP_ASYNC_CANCEL};
    private static volatile String unsupported;   // "" when supported; null before the first ask

    private final IoUringPoller poller;
    private final Arena arena = Arena.ofAuto();    // send buffers: see close()
    private final ArrayDeque<SendBuffer> sendBuffers = new ArrayDeque<>();
    private IoUringBufferRing buffers;
    private ByteBuffer[] views;

    // Per slot.
    private Handler[] handlers = new Handler[16];
    private int[] gens = new int[16];
    private int[] fds = new int[16];
    private int[] armed = new int[16];      // bit (1 << op): submitted, its last completion not reaped yet
    private int[] pendingOps = new int[16]; // bit (1 << op): queued, not written into the ring yet
    private int[] free = new int[16];       // free slots
    private int freeCount;
    private int slots;                      // slots ever used

    // Requests queued for the next prepare().
    private int[] qOp = new int[64];
    private int[] qSlot = new int[64];
    private int[] qFd = new int[64];
    private int[] qLen = new int[64];
    private long[] qAddr = new long[64];
    private int queued;

    // Completions reaped, to be dispatched by run().
    private long[] cUd = new long[256];
    private int[] cRes = new int[256];
    private int[] cFlags = new int[256];
    private int collected;

    private int held;                       // receive buffers the owners have not recycled yet

    IoUringCompletions(IoUringPoller poller) {
        this.poller = poller;
    }

    /**
     * Why this kernel cannot do completion-based socket I/O, asked once per process.
     *
     * @return null when it can, else the reason
     */
    public static String unsupportedReason() {
        String u = unsupported;
        if (u == null) {
            u = IoUringProbe.unsupportedOps(REQUIRED_OPS);
            u = u == null ? "" : u + " (completion mode needs Linux 6.0+: multishot RECV, provided buffer rings)";
            unsupported = u;
        }
        return u.isEmpty() ? null : u;
    }

    // ------------------------------------------------------------------ owners

    /**
     * Attaches an owner of requests on {@code fd}.
     *
     * @return its slot
     */
    public int attach(Handler h, int fd) {
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            slot = slots++;
            if (slot == handlers.length) {
                int n = slot * 2;
                handlers = Arrays.copyOf(handlers, n);
                gens = Arrays.copyOf(gens, n);
                fds = Arrays.copyOf(fds, n);
                armed = Arrays.copyOf(armed, n);
                pendingOps = Arrays.copyOf(pendingOps, n);
            }
            if (slot > 0xFF_FFFF) {
                throw new IllegalStateException("too many io_uring owners on one loop");
            }
        }
        handlers[slot] = h;
        fds[slot] = fd;
        return slot;
    }

    /**
     * Forgets an owner: completions of its requests that still arrive are dropped. Call
     * {@link #cancel} first if any may be in flight.
     */
    public void detach(int slot) {
        if (handlers[slot] == null) {
            return;
        }
        dropQueued(slot);
        handlers[slot] = null;
        armed[slot] = 0;
        gens[slot] = gens[slot] + 1 & GEN_MASK;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, freeCount * 2);
        }
        free[freeCount++] = slot;
    }

    /** Whether a request of {@code op} is queued or in flight for {@code slot}. */
    public boolean busy(int slot, int op) {
        return ((armed[slot] | pendingOps[slot]) & 1 << op) != 0;
    }

    // ------------------------------------------------------------------ requests

    /** Queues a multishot receive into the buffer ring. */
    public void recv(int slot) {
        enqueue(OP_RECV, slot, 0, 0);
    }

    /** Queues a multishot accept; the new sockets are non-blocking and close-on-exec. */
    public void accept(int slot) {
        enqueue(OP_ACCEPT, slot, 0, 0);
    }

    /** Queues a send of {@code len} bytes at {@code addr}, which must stay put until it completes. */
    public void send(int slot, long addr, int len) {
        enqueue(OP_SEND, slot, addr, len);
    }

    private void enqueue(int op, int slot, long addr, int len) {
        if (queued == qOp.length) {
            int n = queued * 2;
            qOp = Arrays.copyOf(qOp, n);
            qSlot = Arrays.copyOf(qSlot, n);
            qFd = Arrays.copyOf(qFd, n);
            qLen = Arrays.copyOf(qLen, n);
            qAddr = Arrays.copyOf(qAddr, n);
        }
        if (op < OP_CANCEL) {
            pendingOps[slot] |= 1 << op;
        }
        qOp[queued] = op;
        qSlot[queued] = slot;
        qFd[queued] = fds[slot];
        qAddr[queued] = addr;
        qLen[queued] = len;
        queued++;
    }

    private void dropQueued(int slot) {
        int j = 0;
        for (int i = 0; i < queued; i++) {
            if (qSlot[i] != slot) {
                qOp[j] = qOp[i];
                qSlot[j] = qSlot[i];
                qFd[j] = qFd[i];
                qAddr[j] = qAddr[i];
                qLen[j] = qLen[i];
                j++;
            }
        }
        queued = j;
        pendingOps[slot] = 0;
    }

    private long userData(int slot, int op) {
        return MARK | (long) gens[slot] << 32 | (long) slot << 8 | op;
    }

    /** Whether {@code userData} belongs to a request of this class. */
    static boolean owns(long userData) {
        return userData < 0 && userData != -1L;
    }

    /** Writes the queued requests as SQEs (on the loop thread, just before the wait). */
    void prepare(IoUringRing ring) {
        if (queued == 0) {
            return;
        }
        if (buffers == null) {
            startBuffers(ring);
        }
        for (int i = 0; i < queued; i++) {
            int slot = qSlot[i];
            int op = qOp[i];
            if (op == OP_NONE) {
                continue;
            }
            if (op < OP_CANCEL) {
                pendingOps[slot] &= ~(1 << op);
            }
            poller.room();
            ring = poller.ring();
            if (op == OP_CANCEL) {
                ring.cancel(qAddr[i], IoUringPoller.INTERNAL, poller.skipSuccess());
                continue;
            }
            long ud = userData(slot, op);
            switch (op) {
                case OP_RECV -> ring.recvMultishot(qFd[i], BUFFER_GROUP, ud);
                case OP_SEND -> ring.send(qFd[i], qAddr[i], qLen[i], SEND_FLAGS, ud);
                default -> ring.acceptMultishot(qFd[i], ACCEPT_FLAGS, ud);
            }
            armed[slot] |= 1 << op;
        }
        queued = 0;
    }

    /** MSG_NOSIGNAL only: with MSG_DONTWAIT io_uring would fail a send to a full socket with EAGAIN instead of waiting. */
    private static final int SEND_FLAGS = Socket.MSG_NOSIGNAL;
    private static final int ACCEPT_FLAGS = Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC;

    private void startBuffers(IoUringRing ring) {
        buffers = new IoUringBufferRing(ring, BUFFER_GROUP, BUFFERS, BUFFER_SIZE, true);
        if (views == null) {
            views = new ByteBuffer[BUFFERS];
        }
        for (int bid = 0; bid < BUFFERS; bid++) {
            views[bid] = buffers.buffer(bid).asByteBuffer();
        }
    }

    // ------------------------------------------------------------------ completions

    /** Takes one CQE of this class off the ring (called while reaping). */
    void collect(long ud, int res, int flags) {
        int slot = (int) (ud >>> 8) & 0xFF_FFFF;
        int op = (int) ud & 0xFF;
        int gen = (int) (ud >>> 32) & GEN_MASK;
        if (slot >= slots || handlers[slot] == null || gens[slot] != gen) {
            dropBuffer(flags);     // a detached owner's request, ended late
            return;
        }
        if ((flags & IoUring.IORING_CQE_F_MORE) == 0) {
            armed[slot] &= ~(1 << op);
        }
        if (collected == cUd.length) {
            int n = collected * 2;
            cUd = Arrays.copyOf(cUd, n);
            cRes = Arrays.copyOf(cRes, n);
            cFlags = Arrays.copyOf(cFlags, n);
        }
        if ((flags & IoUring.IORING_CQE_F_BUFFER) != 0) {
            held++;
        }
        cUd[collected] = ud;
        cRes[collected] = res;
        cFlags[collected] = flags;
        collected++;
    }

    /** Completions reaped and not dispatched yet: the loop must not sleep while there are any. */
    int pending() {
        return collected;
    }

    /**
     * Hands every reaped completion to its owner, in the order the kernel posted them
     * (more may be reaped while this runs; they are handed out too).
     *
     * @return how many were handed out
     */
    int run() {
        int calls = 0;
        for (int i = 0; i < collected; i++) {
            long ud = cUd[i];
            int slot = (int) (ud >>> 8) & 0xFF_FFFF;
            int gen = (int) (ud >>> 32) & GEN_MASK;
            Handler h = handlers[slot];
            if (h == null || gens[slot] != gen) {
                // Its owner was detached by an earlier completion of this batch.
                if ((cFlags[i] & IoUring.IORING_CQE_F_BUFFER) != 0) {
                    recycle(cFlags[i] >>> IoUring.IORING_CQE_BUFFER_SHIFT);
                }
                continue;
            }
            calls++;
            try {
                h.complete((int) ud & 0xFF, cRes[i], cFlags[i]);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "completion handler " + h + " threw", e);
            }
        }
        collected = 0;
        return calls;
    }

    private void dropBuffer(int flags) {
        if ((flags & IoUring.IORING_CQE_F_BUFFER) != 0) {
            if (buffers != null) {
                buffers.recycle(flags >>> IoUring.IORING_CQE_BUFFER_SHIFT);
            }
        }
    }

    // ------------------------------------------------------------------ buffers

    /** The received bytes of a RECV completion: a view of its buffer, positioned at 0, limited to {@code len}. */
    public ByteBuffer view(int bid, int len) {
        return views[bid].clear().limit(len);
    }

    /** Hands a receive buffer back to the kernel. */
    public void recycle(int bid) {
        held--;
        buffers.recycle(bid);
    }

    /** A native send buffer: fill {@link #bytes} (absolute puts), send from {@link #address}. */
    public static final class SendBuffer {
        /** The buffer, {@value #SEND_BUFFER_SIZE} bytes. */
        public final ByteBuffer bytes;
        /** Its native address. */
        public final long address;

        SendBuffer(MemorySegment segment) {
            bytes = segment.asByteBuffer();
            address = segment.address();
        }
    }

    /** A send buffer of {@value #SEND_BUFFER_SIZE} bytes, from the pool. */
    public SendBuffer takeSendBuffer() {
        SendBuffer b = sendBuffers.pollFirst();
        return b != null ? b : new SendBuffer(arena.allocate(SEND_BUFFER_SIZE, 64));
    }

    /** Returns a send buffer to the pool once its SEND completed. */
    public void giveSendBuffer(SendBuffer b) {
        sendBuffers.addFirst(b);
    }

    /** Receive buffers handed out and not recycled yet. */
    public int heldBuffers() {
        return held;
    }

    /**
     * Queues the cancellation of {@code slot}'s request of {@code op} (or drops it, when it is
     * only queued); a request in flight ends with -ECANCELED, or its own result.
     */
    public void cancel(int slot, int op) {
        if ((pendingOps[slot] & 1 << op) != 0) {
            pendingOps[slot] &= ~(1 << op);
            for (int i = 0; i < queued; i++) {
                if (qSlot[i] == slot && qOp[i] == op) {
                    qOp[i] = OP_NONE;
                }
            }
        }
        if ((armed[slot] & 1 << op) != 0) {
            enqueue(OP_CANCEL, slot, userData(slot, op), 0);
        }
    }

    // ------------------------------------------------------------------ cancelling

    /**
     * Cancels every request of {@code slot} and waits until their last completions are in
     * the ring, so that the socket can be closed. Requests still queued are dropped.
     */
    public void cancel(int slot) {
        dropQueued(slot);
        if (armed[slot] == 0) {
            return;
        }
        poller.room();
        IoUringRing ring = poller.ring();
        ring.cancelFd(fds[slot], IoUringPoller.INTERNAL, poller.skipSuccess());
        int left = armed[slot];
        long wanted = userData(slot, 0) & ~0xFFL;
        int scanned = ring.cqHead();
        for (int round = 0; round <= ring.cqEntries(); round++) {
            int r = ring.submitAndWait(0);
            if (r < 0 && r != -Errno.EINTR && r != -Errno.EBUSY && r != -Errno.EAGAIN) {
                throw Errors.exception("io_uring_enter(fd=" + ring.fd() + ", ASYNC_CANCEL of fd=" + fds[slot] + ")", -r);
            }
            int tail = ring.cqTail();
            for (; scanned != tail; scanned++) {
                long ud = ring.userData(scanned);
                if ((ud & ~0xFFL) == wanted && (ring.flags(scanned) & IoUring.IORING_CQE_F_MORE) == 0) {
                    left &= ~(1 << (int) (ud & 0xFF));
                }
            }
            if (left == 0 || tail - ring.cqHead() >= ring.cqEntries()) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ the poller's life

    /** Whether nothing is in flight and no receive buffer is held: the ring may be replaced. */
    boolean idle() {
        return held == 0 && idleRequests();
    }

    /** The ring was replaced (it was idle): the buffer ring is registered again with the next prepare. */
    void moved() {
        if (buffers != null) {
            buffers.close();
            buffers = null;
        }
    }


    /**
     * Cancels everything in flight (the loop is closing) and waits, in a bounded number of
     * non-blocking enters, until the last completions are reaped; they are not dispatched.
     */
    void cancelAll() {
        queued = 0;
        Arrays.fill(pendingOps, 0);
        boolean any = false;
        for (int s = 0; s < slots; s++) {
            if (armed[s] != 0) {
                poller.room();
                poller.ring().cancelFd(fds[s], IoUringPoller.INTERNAL, poller.skipSuccess());
                any = true;
            }
        }
        for (int round = 0; any && round < 64; round++) {
            IoUringRing ring = poller.ring();
            int r = ring.submitAndWait(0);
            if (r < 0 && r != -Errno.EINTR && r != -Errno.EBUSY && r != -Errno.EAGAIN) {
                LOG.log(System.Logger.Level.DEBUG, "cancelling on close: io_uring_enter: " + Errno.name(-r));
                break;
            }
            poller.reapDropping();
            any = !idleRequests();
        }
        collected = 0;
    }

    private boolean idleRequests() {
        for (int s = 0; s < slots; s++) {
            if (armed[s] != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Lets go of the buffers, after the ring is closed. Their memory is freed by the garbage
     * collector, not here: a loop closed from another thread than its own cannot wait for
     * its requests to end, and the kernel's exit work for the ring, which runs after close(2)
     * returns, may still complete a receive into a buffer.
     */
    void close() {
        if (buffers != null) {
            buffers.close();
            buffers = null;
        }
        views = null;
        sendBuffers.clear();
    }
}
