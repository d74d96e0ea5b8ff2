package dev.uloop.internal.uring;

import dev.uloop.internal.poller.ReadySet;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.IoUring;
import dev.uloop.internal.posix.Socket;
import dev.uloop.internal.util.Failures;
import dev.uloop.daemon.LogThrottle;
import dev.uloop.internal.util.Grow;
import java.util.Arrays;

/**
 * Completion-based socket I/O on a loop's ring (the {@code io_uring-completion} backend,
 * Linux 6.0+): the kernel accepts, receives and sends, and the loop hands finished
 * operations to their owners (a {@link CompletionStream}, a {@link CompletionAcceptor}).
 *
 * <h2>Owners and user_data</h2>
 * An owner {@link #attach}es and gets a slot. Its requests carry
 * {@code user_data = 1<<63 | generation<<32 | slot<<8 | op}; at most one request per op is
 * in flight per slot. {@link #detach} bumps the slot's generation, so a completion that
 * arrives later is recognised as stale and dropped (its buffer, if it carries one, goes back
 * to the buffer ring). Poll requests have user_data {@code >= 0}, the session's internal
 * requests -1.
 *
 * <h2>Queued, then written in the wait</h2>
 * {@link #recv}, {@link #send} and {@link #accept} only queue the request; {@link #prepare}
 * writes the SQEs just before the loop's wait, so they are submitted with it, in the same
 * {@code io_uring_enter}, and only ever from the loop's thread. Completions are collected
 * while the ring is reaped and handed out by {@link #run()}, the loop's completion phase,
 * after the readiness handlers.
 *
 * <h2>Buffers</h2>
 * Receives take buffers from the loop's {@link ReceiveBuffers}; when they run dry a multishot
 * receive ends with -ENOBUFS and is queued again. Sends go from {@link SendBuffers}. Nothing
 * is allocated per operation once the pools have grown to the load.
 *
 * <h2>Closing</h2>
 * A socket may be closed only when no request on it is in flight: until then the kernel
 * holds the file (a close would not send the FIN), and the number could be reused under a
 * stale request. {@link #cancel(int)} cancels every request on the socket
 * ({@code IORING_OP_ASYNC_CANCEL} by fd) and waits, in a few non-blocking enters, until their
 * last completions are in the ring.
 */
public final class SocketIo implements RingClient {
    private static final System.Logger LOG = System.getLogger("uloop.poller.IoUring");
    /** What an owner threw is the loop's business, logged where a readiness handler's is. */
    private static final System.Logger LOOP_LOG = System.getLogger("uloop.EventLoop");
    /** Completion handlers that throw again and again log once per interval. */
    private final LogThrottle failures = new LogThrottle(LOOP_LOG);

    /** Handles the completions of one owner's requests. */
    interface Owner {
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

    static final int OP_RECV = 1;
    static final int OP_SEND = 2;
    static final int OP_ACCEPT = 3;
    private static final int OP_CANCEL = 4;      // queued only: cancel the request whose user_data is in addr
    private static final int OP_NONE = 5;        // queued only: a dropped request

    private static final long MARK = Long.MIN_VALUE;
    private static final int GEN_MASK = 0x3FFF_FFFF;
    /** MSG_NOSIGNAL only: with MSG_DONTWAIT io_uring would fail a send to a full socket with EAGAIN instead of waiting. */
    private static final int SEND_FLAGS = Socket.MSG_NOSIGNAL;
    private static final int ACCEPT_FLAGS = Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC;

    private final RingSession session;
    private final SendBuffers sendBuffers = new SendBuffers();
    private final ReceiveBuffers buffers = new ReceiveBuffers();

    // Per slot.
    private Owner[] owners = new Owner[16];
    private int[] gens = new int[16];
    private int[] fds = new int[16];
    private int[] armed = new int[16];      // bit (1 << op): submitted, its last completion not reaped yet
    private int[] pendingOps = new int[16]; // bit (1 << op): queued, not written into the ring yet
    private Runnable[] releasers = new Runnable[16];   // a slot being released: what to do once its requests ended
    private int releasing;                  // slots being released
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

    SocketIo(RingSession session) {
        this.session = session;
    }

    /** The pool of send buffers. */
    SendBuffers sendBuffers() {
        return sendBuffers;
    }

    /** The receive buffers. */
    ReceiveBuffers buffers() {
        return buffers;
    }

    // ------------------------------------------------------------------ owners

    /** Attaches an owner of requests on {@code fd}; returns its slot. */
    int attach(Owner h, int fd) {
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            slot = slots++;
            if (slot > 0xFF_FFFF) {
                throw new IllegalStateException("too many io_uring owners on one loop");
            }
            if (slot == owners.length) {
                int n = Grow.length(slot, slot + 1);
                owners = Arrays.copyOf(owners, n);
                gens = Arrays.copyOf(gens, n);
                fds = Arrays.copyOf(fds, n);
                armed = Arrays.copyOf(armed, n);
                pendingOps = Arrays.copyOf(pendingOps, n);
                releasers = Arrays.copyOf(releasers, n);
            }
        }
        owners[slot] = h;
        fds[slot] = fd;
        return slot;
    }

    /**
     * Forgets an owner: completions of its requests that still arrive are dropped. Call
     * {@link #cancel(int)} first if any may be in flight.
     */
    void detach(int slot) {
        if (owners[slot] == null) {
            return;
        }
        dropQueued(slot);
        owners[slot] = null;
        armed[slot] = 0;
        gens[slot] = gens[slot] + 1 & GEN_MASK;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, Grow.length(freeCount, freeCount + 1));
        }
        free[freeCount++] = slot;
    }

    /**
     * Ends an owner now, and its socket as soon as the kernel is done with it: its queued
     * requests are dropped, those in flight cancelled (an ASYNC_CANCEL each, by user_data,
     * submitted with the next wait), their completions dropped as they come, and
     * {@code closeSocket} runs once the last one is in; at once when nothing is in flight.
     * Nothing waits: a server closing 15,000 connections at a stop costs no system call per
     * connection. Until then the socket stays open, so its number cannot be reused under a
     * request; and a cancel names its request with the slot's generation, so it can never
     * reach the requests of the slot's next owner.
     *
     * @param slot        the owner's slot, or -1 for an owner that never attached
     * @param closeSocket what closes the socket
     */
    void release(int slot, Runnable closeSocket) {
        if (slot < 0) {
            closeSocket.run();
            return;
        }
        dropQueued(slot);
        if (armed[slot] == 0) {
            detach(slot);
            closeSocket.run();
            return;
        }
        owners[slot] = RELEASING;
        releasers[slot] = closeSocket;
        releasing++;
        for (int op = OP_RECV; op <= OP_ACCEPT; op++) {
            if ((armed[slot] & 1 << op) != 0) {
                enqueue(OP_CANCEL, slot, userData(slot, op), 0);
            }
        }
    }

    /** The owner of a slot being released: its completions are dropped. */
    private static final Owner RELEASING = (op, res, flags) -> { };

    /** A released slot's last request ended: close its socket, free the slot. */
    private void released(int slot) {
        Runnable close = releasers[slot];
        releasers[slot] = null;
        releasing--;
        owners[slot] = RELEASING;       // detach() frees a slot only while it has an owner
        detach(slot);
        close.run();
    }

    /** Whether a request of {@code op} is queued or in flight for {@code slot}. */
    boolean busy(int slot, int op) {
        return ((armed[slot] | pendingOps[slot]) & 1 << op) != 0;
    }

    // ------------------------------------------------------------------ requests

    /** Queues a multishot receive into the buffer ring. */
    void recv(int slot) {
        enqueue(OP_RECV, slot, 0, 0);
    }

    /** Queues a multishot accept; the new sockets are non-blocking and close-on-exec. */
    void accept(int slot) {
        enqueue(OP_ACCEPT, slot, 0, 0);
    }

    /** Queues a send of {@code len} bytes at {@code addr}, which must stay put until it completes. */
    void send(int slot, long addr, int len) {
        enqueue(OP_SEND, slot, addr, len);
    }

    private void enqueue(int op, int slot, long addr, int len) {
        if (queued == qOp.length) {
            int n = Grow.length(queued, queued + 1);
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

    @Override
    public boolean owns(long userData) {
        return userData < 0 && userData != RingSession.INTERNAL;
    }

    /** Writes the queued requests as SQEs (on the loop thread, just before the wait). */
    @Override
    public void prepare() {
        if (queued == 0) {
            return;
        }
        buffers.registerWith(session.ring());
        for (int i = 0; i < queued; i++) {
            int slot = qSlot[i];
            int op = qOp[i];
            if (op == OP_NONE) {
                continue;
            }
            if (op < OP_CANCEL) {
                pendingOps[slot] &= ~(1 << op);
            }
            session.room();
            IoUringRing ring = session.ring();
            if (op == OP_CANCEL) {
                ring.cancel(qAddr[i], RingSession.INTERNAL, session.skipSuccess());
                continue;
            }
            long ud = userData(slot, op);
            switch (op) {
                case OP_RECV -> ring.recvMultishot(qFd[i], ReceiveBuffers.GROUP, ud);
                case OP_SEND -> ring.send(qFd[i], qAddr[i], qLen[i], SEND_FLAGS, ud);
                default -> ring.acceptMultishot(qFd[i], ACCEPT_FLAGS, ud);
            }
            armed[slot] |= 1 << op;
        }
        queued = 0;
    }

    // ------------------------------------------------------------------ completions

    /** Takes one CQE of this class off the ring (called while reaping). */
    @Override
    public void complete(long ud, int res, int flags, ReadySet out) {
        int slot = (int) (ud >>> 8) & 0xFF_FFFF;
        int op = (int) ud & 0xFF;
        int gen = (int) (ud >>> 32) & GEN_MASK;
        if (slot >= slots || owners[slot] == null || gens[slot] != gen) {
            if ((flags & IoUring.IORING_CQE_F_BUFFER) != 0) {
                buffers.drop(flags >>> IoUring.IORING_CQE_BUFFER_SHIFT);   // a detached owner's request, ended late
            }
            return;
        }
        if ((flags & IoUring.IORING_CQE_F_MORE) == 0) {
            armed[slot] &= ~(1 << op);
        }
        if (owners[slot] == RELEASING) {
            if ((flags & IoUring.IORING_CQE_F_BUFFER) != 0) {
                buffers.drop(flags >>> IoUring.IORING_CQE_BUFFER_SHIFT);
            }
            if (armed[slot] == 0) {
                released(slot);
            }
            return;
        }
        if (collected == cUd.length) {
            int n = Grow.length(collected, collected + 1);
            cUd = Arrays.copyOf(cUd, n);
            cRes = Arrays.copyOf(cRes, n);
            cFlags = Arrays.copyOf(cFlags, n);
        }
        if ((flags & IoUring.IORING_CQE_F_BUFFER) != 0) {
            buffers.handedOut();
        }
        cUd[collected] = ud;
        cRes[collected] = res;
        cFlags[collected] = flags;
        collected++;
    }

    @Override
    public int pending() {
        return collected;
    }

    /**
     * The loop's completion phase: hands every reaped completion to its owner, in the order
     * the kernel posted them (more may be reaped while this runs; they are handed out too).
     * Whatever an owner throws is handled as the loop handles a handler's.
     *
     * @return how many were handed out
     */
    int run() {
        int calls = 0;
        for (int i = 0; i < collected; i++) {
            long ud = cUd[i];
            int slot = (int) (ud >>> 8) & 0xFF_FFFF;
            int gen = (int) (ud >>> 32) & GEN_MASK;
            Owner h = owners[slot];
            if (h == null || h == RELEASING || gens[slot] != gen) {
                // Its owner was detached or released by an earlier completion of this batch.
                if ((cFlags[i] & IoUring.IORING_CQE_F_BUFFER) != 0) {
                    buffers.recycle(cFlags[i] >>> IoUring.IORING_CQE_BUFFER_SHIFT);
                }
                continue;
            }
            calls++;
            try {
                h.complete((int) ud & 0xFF, cRes[i], cFlags[i]);
            } catch (Throwable t) {
                Failures.callbackFailed(failures, "completion handler " + h, t);
            }
        }
        collected = 0;
        return calls;
    }

    // ------------------------------------------------------------------ cancelling

    /**
     * Queues the cancellation of {@code slot}'s request of {@code op} (or drops it, when it is
     * only queued); a request in flight ends with -ECANCELED, or its own result.
     */
    void cancel(int slot, int op) {
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

    /**
     * Cancels every request of {@code slot} and waits until their last completions are in
     * the ring, so that the socket can be closed. Requests still queued are dropped.
     */
    void cancel(int slot) {
        dropQueued(slot);
        if (armed[slot] == 0) {
            return;
        }
        session.room();
        IoUringRing ring = session.ring();
        ring.cancelFd(fds[slot], RingSession.INTERNAL, session.skipSuccess());
        int left = armed[slot];
        long wanted = userData(slot, 0) & ~0xFFL;
        int scanned = ring.cqHead();
        for (int round = 0; round <= ring.cqEntries(); round++) {
            int r = ring.submitAndWait(0);
            if (r < 0 && !Errors.isTransient(r)) {
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

    // ------------------------------------------------------------------ the ring's life

    /** A ring with requests in flight or receive buffers held cannot be replaced: they would be lost. */
    @Override
    public void beforeMove() {
        if (buffers.held() != 0 || !idleRequests()) {
            Thread owner = session.owner();
            throw new IllegalStateException("an io_uring loop with socket I/O in flight cannot change threads"
                    + " (the ring belongs to " + (owner == null ? "another thread" : owner.getName())
                    + "); run it on one thread, or close its connections first");
        }
        buffers.unregister();     // registered again on the new ring with the next prepare
    }

    @Override
    public void moved() {
    }

    /**
     * The loop is closing: what is queued is dropped, and nothing in flight is cancelled
     * one by one. Closing the ring ends every request in the kernel's own exit work, without
     * the loop waiting; cancelling 15,000 receives at a server's stop took seconds. The
     * buffers are freed by the garbage collector, never while the kernel could still write
     * into them, and the sockets of released connections are closed in {@link #closed()}.
     */
    @Override
    public void closing() {
        queued = 0;
        Arrays.fill(pendingOps, 0);
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
     * Lets go of the buffers, after the ring is closed (their memory is freed by the garbage
     * collector: a loop closed from another thread than its own cannot wait for its requests
     * to end).
     */
    @Override
    public void closed() {
        buffers.close();
        sendBuffers.close();
        for (int s = 0; s < slots && releasing > 0; s++) {
            if (releasers[s] != null) {
                armed[s] = 0;
                released(s);                // the ring is gone, and its requests with it
            }
        }
    }
}
