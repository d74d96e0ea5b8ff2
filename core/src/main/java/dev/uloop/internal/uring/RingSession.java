package dev.uloop.internal.uring;

import dev.uloop.internal.poller.ReadySet;
import dev.uloop.internal.poller.Waits;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.IoUring;
import java.lang.System.Logger.Level;

/**
 * A loop's io_uring instance over its life: the ring, the thread it belongs to, and the
 * wait. Its clients (the {@link PollSet} and, in completion mode, the {@link SocketIo})
 * queue requests; the session writes them just before each wait, submits them with the
 * wait in one {@code io_uring_enter}, and hands every completion to its client.
 *
 * <h2>One thread, one ring</h2>
 * The ring is set up with SINGLE_ISSUER | DEFER_TASKRUN where the kernel has them (6.1+;
 * see {@link IoUringRing}): completions are then processed inside the loop's own wait
 * instead of interrupting the loop thread at each wake-up, which brings the CPU time per
 * message back to epoll's. Such a ring belongs to the thread that set it up, and a loop
 * is often opened on one thread and run on another. When the kernel refuses a call from
 * another thread (EEXIST), the session moves: it sets up a new ring on the calling thread,
 * closes the old one (the kernel ends its requests and lets go of their files in a worker,
 * promptly but not synchronously) and its clients arm again what they had armed; what was
 * ready is reported again, level-triggered. After {@value #MAX_MOVES} moves (a loop that
 * changes threads, or runs on a virtual thread) it settles on an ordinary ring that any
 * thread may enter.
 *
 * <p>In completion mode the ring is set up disabled and enabled by the loop's first wait,
 * so that it belongs to the loop's thread from the start: socket requests in flight cannot
 * move to another ring, and a later wait from another thread is refused unless nothing is
 * in flight ({@link RingClient#beforeMove}).
 *
 * <h2>Room in the rings</h2>
 * Requests are submitted early only when more are queued than the submission ring holds
 * ({@link #room()}). When completions wait for room in the completion ring (kernels before
 * 5.19 then refuse to submit: EBUSY), they are consumed without being reported; the poll
 * set arms their fds again, so what is still ready is reported by the next wait.
 */
final class RingSession {
    private static final System.Logger LOG = System.getLogger("uloop.poller.IoUring");
    /** Moves to a new single-issuer ring before settling on one that any thread may enter. */
    static final int MAX_MOVES = 2;
    /** user_data of removes, updates and cancels: their completions carry nothing uloop needs. */
    static final long INTERNAL = -1L;

    private final int sqEntries;
    private final int cqEntries;
    private final boolean ownedFromFirstWait;
    private final boolean canMultishot;  // multishot polls and poll updates (5.13+)
    private final int skipSuccess;       // IOSQE_CQE_SKIP_SUCCESS where supported (5.17+), else 0
    private IoUringRing ring;
    private int moves;                   // new rings set up because another thread called
    private boolean closing;
    private Thread owner;                // the thread the ring belongs to, once known
    private RingClient polls = RingClient.NONE;
    private RingClient io = RingClient.NONE;

    /**
     * Sets up the ring.
     *
     * @param ownedFromFirstWait set it up disabled, to be enabled (and owned) by the first
     *                           wait's thread: completion mode
     */
    RingSession(int sqEntries, int cqEntries, boolean ownedFromFirstWait) {
        this.sqEntries = sqEntries;
        this.cqEntries = cqEntries;
        this.ownedFromFirstWait = ownedFromFirstWait;
        ring = new IoUringRing(sqEntries, cqEntries, true, ownedFromFirstWait);
        int f = ring.features();
        canMultishot = (f & IoUring.IORING_FEAT_RSRC_TAGS) != 0;
        skipSuccess = (f & IoUring.IORING_FEAT_CQE_SKIP) != 0 ? IoUring.IOSQE_CQE_SKIP_SUCCESS : 0;
        LOG.log(Level.DEBUG, "io_uring instance fd={0}, sq={1}, cq={2}, features=0x{3}, setup=0x{4}",
                ring.fd(), ring.sqEntries(), ring.cqEntries(), Integer.toHexString(f),
                Integer.toHexString(ring.setupFlags()));
    }

    /** Names the clients whose completions this session hands out. */
    void attach(RingClient polls, RingClient io) {
        this.polls = polls;
        this.io = io;
    }

    /** The ring now (it changes when the session moves). */
    IoUringRing ring() {
        return ring;
    }

    /** Whether the kernel has multishot polls and poll updates (5.13+). */
    boolean canMultishot() {
        return canMultishot;
    }

    /** IOSQE_CQE_SKIP_SUCCESS where the kernel has it (5.17+), else 0. */
    int skipSuccess() {
        return skipSuccess;
    }

    /** The thread the ring belongs to, or null before it is known. */
    Thread owner() {
        return owner;
    }

    /**
     * Completion mode: enables the ring on the first wait (it now belongs to this thread),
     * or moves to a new one when a later wait comes from another thread. (In readiness mode
     * a refused enter, EEXIST, moves the ring instead.)
     */
    private void own() {
        Thread me = Thread.currentThread();
        if (!ownedFromFirstWait || owner == me) {
            return;
        }
        if (owner == null && ring.setUpDisabled()) {
            ring.enable();
            owner = me;
        } else if (ring.singleIssuer()) {
            move();
        } else {
            owner = me;
        }
    }

    /**
     * Sets up a new ring on this thread, because the kernel refused a call from it (EEXIST),
     * and lets the clients arm again on it.
     */
    private void move() {
        io.beforeMove();
        IoUringRing old = ring;
        moves++;
        ring = new IoUringRing(sqEntries, cqEntries, ownedFromFirstWait || moves < MAX_MOVES);
        owner = Thread.currentThread();
        old.close();
        polls.moved();
        io.moved();
        LOG.log(Level.DEBUG, "io_uring ring moved to {0} (move {1}): fd={2}, setup=0x{3}",
                Thread.currentThread().getName(), moves, ring.fd(), Integer.toHexString(ring.setupFlags()));
    }

    /** Makes room for one SQE, submitting early when the submission ring is full. */
    void room() {
        while (ring.sqFull()) {
            int r = ring.submit();
            if (r == -Errno.EEXIST) {
                if (closing) {
                    throw Errors.exception("io_uring_enter(fd=" + ring.fd() + ", submit on close)", -r);
                }
                move();
                continue;
            }
            if (r < 0 && !Errors.isTransient(r)) {
                throw Errors.exception("io_uring_enter(fd=" + ring.fd() + ", submit)", -r);
            }
            if (r == -Errno.EBUSY || r == -Errno.EAGAIN) {
                reap(null);
            }
        }
    }

    /**
     * Submits what is queued without waiting (GETEVENTS runs the completion work the kernel
     * holds for the ring), then, for a removed request, makes sure it has completed: that
     * is when it lets go of its file. A DEFER_TASKRUN ring runs only a small batch of
     * completion work per enter, so with many wake-ups pending the removed request's turn
     * may take a few more enters; its completion (-ECANCELED, or its result if it fired
     * first) showing in the CQ ring says it is over. The search stops when the CQ ring is
     * full; the request then ends with the next wait.
     *
     * @param fd      the fd whose request is removed, for the message; -1 on close
     * @param removed the user_data of the removed request; 0 on close
     */
    void submitNow(int fd, long removed) {
        int scanned = ring.cqHead();
        for (int round = 0; ; round++) {
            int r = ring.submitAndWait(0);
            if (r == -Errno.EEXIST) {
                if (!closing) {
                    move();         // the old ring's requests end with it: nothing left to remove
                }
                return;
            }
            if (r == -Errno.EBUSY || r == -Errno.EAGAIN) {
                reap(null);         // see room()
                scanned = ring.cqHead();
                r = ring.submitAndWait(0);
            }
            if (r < 0 && !Errors.isTransient(r)) {
                throw Errors.exception("io_uring_enter(fd=" + ring.fd() + ", POLL_REMOVE"
                        + (fd >= 0 ? " of fd=" + fd : " on close") + ")", -r);
            }
            if (removed == 0) {
                return;
            }
            int tail = ring.cqTail();
            for (; scanned != tail; scanned++) {
                if (ring.userData(scanned) == removed) {
                    return;
                }
            }
            if (tail - ring.cqHead() >= ring.cqEntries() || round >= ring.cqEntries()) {
                return;
            }
        }
    }

    /**
     * The loop's wait: writes the clients' requests, submits them and waits in one
     * io_uring_enter, and hands out the completions; readiness goes to {@code out}.
     *
     * @param timeoutMs 0 returns at once, negative waits forever
     * @return the number of ready fds reported
     */
    int wait(long timeoutMs, ReadySet out) {
        out.clear();
        own();
        if (io.pending() > 0) {
            timeoutMs = 0;        // reaped outside a wait (room()) and not handed out yet
        }
        prepare();
        int timeout = Waits.clampTimeout(timeoutMs);
        long deadline = Waits.deadline(timeout);
        long wait = timeout < 0 ? -1 : timeout * 1_000_000L;
        for (;;) {
            int r = ring.submitAndWait(wait);
            if (r == -Errno.EEXIST) {
                move();             // another thread set this ring up; then wait on the new one
                prepare();
                continue;
            }
            if (r < 0 && r != -Errno.ETIME && !Errors.isTransient(r)) {
                throw Errors.exception("io_uring_enter(fd=" + ring.fd() + ")", -r);
            }
            reap(out);
            if (out.size() > 0 || r == -Errno.ETIME || io.pending() > 0) {
                return out.size();
            }
            // Interrupted (EINTR), or completions waiting for room in the CQ ring (EBUSY, EAGAIN
            // on older kernels: the reap above made room), or only completions that report
            // nothing came: go again for the time left.
            boolean again = Errors.isTransient(r);
            if (wait > 0) {
                wait = Math.max(0, deadline - System.nanoTime());
            }
            if (wait == 0 && !again) {
                return 0;
            }
            prepare();                // re-arms queued by the reap (a multishot for an RDHUP-only fd)
        }
    }

    private void prepare() {
        polls.prepare();
        io.prepare();
    }

    /** Consumes every CQE, handing each to its client; readiness goes to {@code out} (dropped when it is null). */
    void reap(ReadySet out) {
        int head = ring.cqHead();
        int tail = ring.cqTail();
        for (; head != tail; head++) {
            long ud = ring.userData(head);
            int res = ring.res(head);
            if (ud == INTERNAL) {
                if (res < 0 && res != -Errno.ENOENT && res != -Errno.EALREADY && LOG.isLoggable(Level.DEBUG)) {
                    LOG.log(Level.DEBUG, "poll remove/update failed: " + Errno.name(-res));
                }
            } else if (io.owns(ud)) {
                io.complete(ud, res, ring.flags(head), out);
            } else {
                polls.complete(ud, res, ring.flags(head), out);
            }
        }
        ring.cqAdvance(head);
    }

    /**
     * Ends every request, then closes the ring. Closing the ring alone would end them too,
     * but in a kernel worker a little later; removing them first lets go of the watched
     * files before close returns, as the other backends do.
     */
    void close() {
        closing = true;
        try {
            if (owner != null) {
                io.closing();
            }
            polls.closing();
            if (ring.unsubmitted() > 0) {
                submitNow(-1, 0);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "removing requests before close failed: " + e);
        } finally {
            ring.close();
            io.closed();
        }
    }
}
