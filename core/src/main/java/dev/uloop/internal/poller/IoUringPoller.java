package dev.uloop.internal.poller;

import dev.uloop.Events;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.IoUring;
import java.util.Arrays;

/**
 * io_uring readiness backend (Linux 5.11+): one {@code IORING_OP_POLL_ADD} request per
 * watched descriptor, level-triggered like the other backends.
 *
 * <h2>Level-triggered from one-shot polls</h2>
 * Each watched fd has one one-shot poll request in the kernel. When it completes, the fd
 * is reported, and the next {@link #poll} arms a fresh request <em>before</em> it waits,
 * in the same io_uring_enter. The kernel evaluates a new poll request against the file's
 * current state: if the handler left data unread, the request completes at once and the
 * fd is reported again. That is level-triggered, at the cost epoll pays for it too (epoll
 * re-checks every item of its ready list on each wait). Multishot polls
 * ({@code IORING_POLL_ADD_MULTI}, 5.13+) post a completion per wake-up, not per wait:
 * edge-triggered; turning them level would need the same re-check after every report,
 * so they are used only where one-shot polls cannot wait (next paragraph).
 *
 * <p>io_uring always adds RDHUP (with ERR and HUP) to what a poll waits for. Once a peer
 * has shut down its side of a socket, RDHUP stays set, so a one-shot poll for OUT or PRI
 * alone would complete at once, every time, without what it asked for, and the loop would
 * spin where epoll and poll(2) wait. A completion that carries nothing but such an RDHUP
 * is therefore not reported; the fd gets a multishot request instead, whose completions
 * come only with the next wake-ups, until one brings an asked-for bit; after that report
 * the fd goes back to one-shot requests. (On 5.11 and 5.12, without multishot, such an
 * fd is re-armed at each wait: correct, but the loop does not sleep while it lasts.)
 *
 * <h2>One system call per iteration</h2>
 * {@link #register} and {@link #modify} only update tables and queue the fd; {@link #poll}
 * turns the queue into SQEs (POLL_ADD, POLL_REMOVE, or a poll update on 5.13+) and
 * submits them together with the wait in one
 * {@code io_uring_enter(fd, n, 1, GETEVENTS | EXT_ARG, timeout)}: the re-arms of the fds
 * reported last time, new registrations and interest changes all ride on the wait. They
 * are submitted early only when more are queued than the submission ring holds.
 *
 * <p>{@link #unregister} is the exception: it submits its POLL_REMOVE at once (one
 * io_uring_enter, as epoll_ctl(DEL) is one call; a few more when many completions are
 * pending, until the removed request's own completion shows). A poll request holds a
 * reference to the file, not to the number, so until it is over a close(2) of the fd would
 * not close the file: a listening socket would go on accepting, a socket would not send
 * its FIN.
 * For the same reason a descriptor closed <em>without</em> unregister stays open in the
 * kernel until its request completes; the request armed after that fails with EBADF and
 * the fd is no longer watched, with a warning, as the poll backend does on POLLNVAL.
 * {@link #close} removes every request before it closes the ring.
 *
 * <h2>One thread, one ring</h2>
 * The ring is set up with SINGLE_ISSUER | DEFER_TASKRUN where the kernel has them (6.1+;
 * see {@link IoUringRing}): completions are then processed inside the loop's own wait
 * instead of interrupting the loop thread at each wake-up, which brings the CPU time per
 * message back to epoll's. Such a ring belongs to the thread that set it up, and a loop
 * is often opened on one thread and run on another. When the kernel refuses a call from
 * another thread (EEXIST), the poller moves: it sets up a new ring on the calling thread,
 * closes the old one (the kernel ends its requests and lets go of their files in a worker,
 * promptly but not synchronously) and arms every watched fd again; what was ready is
 * reported again, level-triggered. After {@value #MAX_MOVES} moves (a loop that changes
 * threads, or runs on a virtual thread) it settles on an ordinary ring that any thread
 * may enter.
 *
 * <h2>Stale completions</h2>
 * The user_data of a poll is {@code (tag << 32) | fd}, where the tag is a per-fd counter
 * bumped for every request. A completion is accepted only if it carries the tag of the
 * request armed now: the -ECANCELED of a removed request, or the result of a request that
 * completed before its fd was unregistered, closed and its number registered again, is
 * ignored. Removes and updates carry user_data -1 and are skipped with
 * IOSQE_CQE_SKIP_SUCCESS where the kernel has it (5.17+).
 *
 * <h2>Memory</h2>
 * Per-fd state lives in arrays indexed by fd; SQEs and CQEs are written and read in place
 * in the shared rings ({@link IoUringRing}, which documents the acquire/release ordering of
 * the ring indices). Nothing is allocated per poll.
 */
final class IoUringPoller implements Poller {
    private static final System.Logger LOG = System.getLogger("uloop.poller.IoUring");
    static final int SQ_ENTRIES = 256;
    static final int CQ_ENTRIES = 4096;
    /** Completion mode queues a SEND per written connection and iteration: a larger ring saves early submits. */
    static final int COMPLETION_SQ_ENTRIES = 1024;
    static final int COMPLETION_CQ_ENTRIES = 8192;
    /** Moves to a new single-issuer ring before settling on one that any thread may enter. */
    static final int MAX_MOVES = 2;
    /** user_data of removes and updates: their completions carry nothing uloop needs. */
    static final long INTERNAL = -1L;
    /** What poll(2) and epoll report whatever was asked for. */
    private static final int ALWAYS = Events.ERR | Events.HUP | Events.NVAL;

    private final int sqEntries;
    private final int cqEntries;
    private IoUringRing ring;
    private int moves;                   // new rings set up because another thread called
    private boolean closing;
    private final boolean canMultishot;  // multishot polls and poll updates (5.13+)
    private final int skipSuccess;       // IOSQE_CQE_SKIP_SUCCESS where supported (5.17+), else 0
    private final FdTable interest = new FdTable();   // fd -> interest; ABSENT when not registered
    private int[] armedTag = new int[64];     // tag of the fd's request in the kernel; 0: none
    private int[] armedEvents = new int[64];  // the events that request waits for
    private boolean[] armedMulti = new boolean[64];   // that request is multishot
    private boolean[] rdhupOnly = new boolean[64];    // its last completion was an RDHUP nobody asked for
    private int[] lastTag = new int[64];      // per-fd tag counter, never reset
    private boolean[] queued = new boolean[64];
    private int[] changes = new int[64];      // fds to look at before the next wait
    private int changeCount;
    private long[] retired = new long[16];    // multishot requests to remove before the next wait
    private int retiredCount;
    private int size;
    private final IoUringCompletions completions;   // completion-based socket I/O, or null
    private Thread owner;                // the thread the ring belongs to (completion mode), once enabled

    IoUringPoller() {
        this(SQ_ENTRIES, CQ_ENTRIES, false);
    }

    /** A poller with other ring sizes (tests use tiny rings to force early submits and CQ overflow). */
    IoUringPoller(int sqEntries, int cqEntries) {
        this(sqEntries, cqEntries, false);
    }

    /**
     * A poller, with completion-based socket I/O when {@code completion} is set. Its ring is
     * then set up disabled and enabled by the first {@link #poll}, so that it belongs to the
     * loop's thread from the start (requests in flight cannot move to another ring).
     */
    IoUringPoller(int sqEntries, int cqEntries, boolean completion) {
        this.sqEntries = sqEntries;
        this.cqEntries = cqEntries;
        ring = new IoUringRing(sqEntries, cqEntries, true, completion);
        completions = completion ? new IoUringCompletions(this) : null;
        int f = ring.features();
        canMultishot = (f & IoUring.IORING_FEAT_RSRC_TAGS) != 0;
        skipSuccess = (f & IoUring.IORING_FEAT_CQE_SKIP) != 0 ? IoUring.IOSQE_CQE_SKIP_SUCCESS : 0;
        LOG.log(System.Logger.Level.DEBUG, "io_uring instance fd={0}, sq={1}, cq={2}, features=0x{3}, setup=0x{4}",
                ring.fd(), ring.sqEntries(), ring.cqEntries(), Integer.toHexString(f),
                Integer.toHexString(ring.setupFlags()));
    }

    /**
     * The kernel refused a call because the ring belongs to another thread (EEXIST): set up
     * a new ring on this thread and arm every watched fd on it. The old ring's requests end
     * when it closes; their completions still in it are dropped, and what is still ready
     * is reported by the new requests.
     */
    private void move() {
        if (completions != null) {
            if (!completions.idle()) {
                throw new IllegalStateException("an io_uring loop with socket I/O in flight cannot change threads"
                        + " (the ring belongs to " + (owner == null ? "another thread" : owner.getName())
                        + "); run it on one thread, or close its connections first");
            }
            completions.moved();
        }
        IoUringRing old = ring;
        moves++;
        ring = new IoUringRing(sqEntries, cqEntries, completions != null || moves < MAX_MOVES);
        owner = Thread.currentThread();
        old.close();
        retiredCount = 0;
        for (int fd = 0; fd < armedTag.length; fd++) {
            armedTag[fd] = 0;
            if (interest.get(fd) > 0) {
                queue(fd);
            }
        }
        LOG.log(System.Logger.Level.DEBUG, "io_uring ring moved to {0} (move {1}): fd={2}, setup=0x{3}",
                Thread.currentThread().getName(), moves, ring.fd(), Integer.toHexString(ring.setupFlags()));
    }

    @Override
    public String name() {
        return completions != null ? "io_uring-completion" : "io_uring";
    }

    /** The completion-based socket I/O of this poller, or null in readiness mode. */
    IoUringCompletions completions() {
        return completions;
    }

    @Override
    public int runCompletions() {
        return completions == null || completions.pending() == 0 ? 0 : completions.run();
    }

    int skipSuccess() {
        return skipSuccess;
    }

    /**
     * Completion mode: enables the ring on the first wait (it now belongs to this thread),
     * or moves to a new one when a later wait comes from another thread.
     */
    private void own() {
        Thread me = Thread.currentThread();
        if (owner == me) {
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

    @Override
    public void register(int fd, int ev) {
        Descriptors.requireOpen(fd);
        ensure(fd);
        interest.put(fd, ev);
        rdhupOnly[fd] = false;
        size++;
        if (ev != 0) {
            queue(fd);
        }
    }

    @Override
    public void modify(int fd, int ev) {
        interest.put(fd, ev);
        queue(fd);
    }

    @Override
    public void unregister(int fd) {
        interest.remove(fd);
        if (fd < armedTag.length && armedTag[fd] != 0) {
            // Removed now, not with the next wait: the request holds a reference to the file,
            // and a close(2) right after remove() must really close it (a listening socket
            // must refuse connections, a socket must send its FIN), as it does with epoll.
            long ud = userData(fd, armedTag[fd]);
            armedTag[fd] = 0;
            room();
            ring.pollRemove(ud, INTERNAL, skipSuccess);
            submitNow(fd, ud);
        }
        size--;
    }

    private void ensure(int fd) {
        if (fd >= armedTag.length) {
            int n = Math.max(fd + 1, armedTag.length * 2);
            armedTag = Arrays.copyOf(armedTag, n);
            armedEvents = Arrays.copyOf(armedEvents, n);
            armedMulti = Arrays.copyOf(armedMulti, n);
            rdhupOnly = Arrays.copyOf(rdhupOnly, n);
            lastTag = Arrays.copyOf(lastTag, n);
            queued = Arrays.copyOf(queued, n);
        }
    }

    private void queue(int fd) {
        if (!queued[fd]) {
            queued[fd] = true;
            if (changeCount == changes.length) {
                changes = Arrays.copyOf(changes, changeCount * 2);
            }
            changes[changeCount++] = fd;
        }
    }

    private void retire(long userData) {
        if (retiredCount == retired.length) {
            retired = Arrays.copyOf(retired, retiredCount * 2);
        }
        retired[retiredCount++] = userData;
    }

    private static long userData(int fd, int tag) {
        return ((long) tag << 32) | Integer.toUnsignedLong(fd);
    }

    /** Turns the queued changes into SQEs. */
    private void prepare() {
        for (int i = 0; i < retiredCount; i++) {
            room();
            ring.pollRemove(retired[i], INTERNAL, skipSuccess);
        }
        retiredCount = 0;
        for (int i = 0; i < changeCount; i++) {
            int fd = changes[i];
            queued[fd] = false;
            int ev = interest.get(fd);
            if (ev == FdTable.ABSENT) {
                continue;             // unregistered: its request, if any, is removed already
            }
            boolean multi = rdhupOnly[fd] && canMultishot;
            int tag = armedTag[fd];
            if (tag != 0) {
                if (armedEvents[fd] == ev && armedMulti[fd] == multi) {
                    continue;
                }
                room();
                if (ev != 0 && canMultishot && !armedMulti[fd] && !multi) {
                    ring.pollUpdate(userData(fd, tag), ev, false, INTERNAL, skipSuccess);
                    armedEvents[fd] = ev;
                    continue;
                }
                ring.pollRemove(userData(fd, tag), INTERNAL, skipSuccess);
                armedTag[fd] = 0;
            }
            if (ev != 0) {
                room();
                int t = lastTag[fd] + 1 & Integer.MAX_VALUE;
                if (t == 0) {
                    t = 1;
                }
                lastTag[fd] = t;
                armedTag[fd] = t;
                armedEvents[fd] = ev;
                armedMulti[fd] = multi;
                ring.pollAdd(fd, ev, userData(fd, t), multi);
            }
        }
        changeCount = 0;
        if (completions != null) {
            completions.prepare(ring);
        }
    }

    /**
     * Submits what is queued without waiting (GETEVENTS runs the completion work the kernel
     * holds for the ring), then, for an unregister, makes sure the removed request has
     * completed: that is when it lets go of its file. A DEFER_TASKRUN ring runs only a
     * small batch of completion work per enter, so with many wake-ups pending the removed
     * request's turn may take a few more enters; its completion (-ECANCELED, or its result
     * if it fired first) showing in the CQ ring says it is over. The search stops when the
     * CQ ring is full; the request then ends with the next wait.
     *
     * @param fd      the fd whose request is removed, for the message; -1 on close
     * @param removed the user_data of the removed request; 0 on close
     */
    private void submitNow(int fd, long removed) {
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
                reapInto(null);     // see room()
                scanned = ring.cqHead();
                r = ring.submitAndWait(0);
            }
            if (r < 0 && r != -Errno.EINTR && r != -Errno.EBUSY && r != -Errno.EAGAIN) {
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
            if (r < 0 && r != -Errno.EINTR && r != -Errno.EBUSY && r != -Errno.EAGAIN) {
                throw Errors.exception("io_uring_enter(fd=" + ring.fd() + ", submit)", -r);
            }
            if (r == -Errno.EBUSY || r == -Errno.EAGAIN) {
                // Completions wait for room in the CQ ring (kernels before 5.19 then refuse to
                // submit): consume them. Their fds are not reported now but queued to be armed
                // again, so what is still ready is reported by the next wait: level-triggered.
                reapInto(null);
            }
        }
    }

    @Override
    public int poll(long timeoutMs, ReadySet out) {
        out.clear();
        if (completions != null) {
            own();
            if (completions.pending() > 0) {
                timeoutMs = 0;        // reaped outside a wait (room()) and not handed out yet
            }
        }
        prepare();
        int timeout = Waits.clampTimeout(timeoutMs);
        long deadline = timeout > 0 ? System.nanoTime() + timeout * 1_000_000L : 0;
        long wait = timeout < 0 ? -1 : timeout * 1_000_000L;
        for (;;) {
            int r = ring.submitAndWait(wait);
            if (r == -Errno.EEXIST) {
                move();             // another thread set this ring up; then wait on the new one
                prepare();
                continue;
            }
            if (r < 0 && r != -Errno.ETIME && r != -Errno.EINTR && r != -Errno.EBUSY && r != -Errno.EAGAIN) {
                throw Errors.exception("io_uring_enter(fd=" + ring.fd() + ")", -r);
            }
            reapInto(out);
            if (out.size() > 0 || r == -Errno.ETIME || completions != null && completions.pending() > 0) {
                return out.size();
            }
            // Interrupted (EINTR), or completions waiting for room in the CQ ring (EBUSY, EAGAIN
            // on older kernels: the reap above made room), or only completions that report
            // nothing came: go again for the time left.
            boolean again = r == -Errno.EINTR || r == -Errno.EBUSY || r == -Errno.EAGAIN;
            if (wait > 0) {
                wait = Math.max(0, deadline - System.nanoTime());
            }
            if (wait == 0 && !again) {
                return 0;
            }
            prepare();                // re-arms queued by the reap (a multishot for an RDHUP-only fd)
        }
    }

    /** Consumes every CQE; accepted poll results go to {@code out} (dropped when it is null, see {@link #room()}). */
    private void reapInto(ReadySet out) {
        int head = ring.cqHead();
        int tail = ring.cqTail();
        for (; head != tail; head++) {
            long ud = ring.userData(head);
            int res = ring.res(head);
            if (completions != null && IoUringCompletions.owns(ud)) {
                completions.collect(ud, res, ring.flags(head));
                continue;
            }
            if (ud < 0) {
                if (res < 0 && res != -Errno.ENOENT && res != -Errno.EALREADY
                        && LOG.isLoggable(System.Logger.Level.DEBUG)) {
                    LOG.log(System.Logger.Level.DEBUG, "poll remove/update failed: " + Errno.name(-res));
                }
                continue;
            }
            int fd = (int) ud;
            int tag = (int) (ud >>> 32);
            if (fd >= armedTag.length || armedTag[fd] != tag) {
                continue;             // a removed request, or one from before the fd was registered again
            }
            boolean more = (ring.flags(head) & IoUring.IORING_CQE_F_MORE) != 0;
            if (res > 0 && (res & (armedEvents[fd] | ALWAYS)) == 0) {
                // Only the RDHUP io_uring always adds: not what epoll or poll(2) would report.
                if (!more) {
                    armedTag[fd] = 0;
                    rdhupOnly[fd] = true;     // wait with a multishot request from now on
                    queue(fd);
                }
                continue;
            }
            if (more) {
                retire(ud);           // a multishot request reported: back to one-shot for the re-check
            }
            armedTag[fd] = 0;
            rdhupOnly[fd] = false;
            queue(fd);                // armed again before the next wait: level-triggered
            if (res > 0) {
                if (out != null) {
                    out.add(fd, res);
                }
            } else if (res < 0) {
                failed(fd, -res);
            }
        }
        ring.cqAdvance(head);
    }

    /** Consumes every CQE without reporting readiness (see {@link #room()}); completions are collected. */
    void reapDropping() {
        reapInto(null);
    }

    private void failed(int fd, int errno) {
        if (errno == Errno.ECANCELED) {
            return;                   // the kernel ended it (its submitting thread exited): armed again
        }
        interest.put(fd, 0);          // parked until modify() asks again
        if (errno == Errno.EBADF) {
            LOG.log(System.Logger.Level.WARNING,
                    "fd {0} was closed while registered; no longer watched (call remove() before close())", fd);
        } else {
            LOG.log(System.Logger.Level.WARNING, "io_uring POLL_ADD(fd={0}) failed: {1} ({2}); no longer watched",
                    fd, Errno.name(errno), Errno.description(errno));
        }
    }

    @Override
    public int size() {
        return size;
    }

    /** The ring, for tests that look at the completions waiting in it. */
    IoUringRing ring() {
        return ring;
    }

    /**
     * Removes every armed request, then closes the ring. Closing the ring alone would end
     * them too, but in a kernel worker a little later; removing them first lets go of the
     * watched files before close returns, as the other backends do.
     */
    @Override
    public void close() {
        closing = true;
        try {
            if (completions != null && owner != null) {
                completions.cancelAll();
            }
            for (int i = 0; i < retiredCount; i++) {
                room();
                ring.pollRemove(retired[i], INTERNAL, skipSuccess);
            }
            retiredCount = 0;
            for (int fd = 0; fd < armedTag.length; fd++) {
                if (armedTag[fd] != 0) {
                    room();
                    ring.pollRemove(userData(fd, armedTag[fd]), INTERNAL, skipSuccess);
                    armedTag[fd] = 0;
                }
            }
            if (ring.unsubmitted() > 0) {
                submitNow(-1, 0);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "removing poll requests before close failed: " + e);
        } finally {
            ring.close();
            if (completions != null) {
                completions.close();
            }
        }
    }
}
