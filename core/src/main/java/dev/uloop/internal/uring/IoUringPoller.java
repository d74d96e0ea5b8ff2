package dev.uloop.internal.uring;

import dev.uloop.internal.poller.Poller;
import dev.uloop.internal.poller.ReadySet;

/**
 * The io_uring backends' poller (Linux 5.11+): readiness by one {@code IORING_OP_POLL_ADD}
 * request per watched descriptor ({@link PollSet}), on a {@link RingSession}; in completion
 * mode the same ring also carries the network layer's socket I/O ({@link SocketIo}).
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
 * reported last time, new registrations and interest changes all ride on the wait.
 *
 * <p>{@link #unregister} is the exception: it submits its POLL_REMOVE at once (one
 * io_uring_enter, as epoll_ctl(DEL) is one call; a few more when many completions are
 * pending, until the removed request's own completion shows). A poll request holds a
 * reference to the file, not to the number, so until it is over a close(2) of the fd would
 * not close the file: a listening socket would go on accepting, a socket would not send
 * its FIN. For the same reason a descriptor closed <em>without</em> unregister stays open
 * in the kernel until its request completes; the request armed after that fails with EBADF
 * and the fd is no longer watched, with a warning, as the poll backend does on POLLNVAL.
 * {@link #close} removes every request before it closes the ring.
 *
 * <p>Threads: see {@link RingSession}. Memory: SQEs and CQEs are written and read in place
 * in the shared rings ({@link IoUringRing}, which documents the acquire/release ordering of
 * the ring indices); nothing is allocated per poll.
 */
public final class IoUringPoller implements Poller {
    static final int SQ_ENTRIES = 256;
    static final int CQ_ENTRIES = 4096;
    /** Completion mode queues a SEND per written connection and iteration: a larger ring saves early submits. */
    static final int COMPLETION_SQ_ENTRIES = 1024;
    static final int COMPLETION_CQ_ENTRIES = 8192;
    /** Moves to a new single-issuer ring before settling on one that any thread may enter. */
    static final int MAX_MOVES = RingSession.MAX_MOVES;

    private final RingSession session;
    private final PollSet polls;
    private final SocketIo io;            // completion mode's socket I/O, or null

    /** The io_uring readiness backend's poller. */
    public IoUringPoller() {
        this(SQ_ENTRIES, CQ_ENTRIES);
    }

    /** A readiness poller with other ring sizes (tests use tiny rings to force early submits and CQ overflow). */
    IoUringPoller(int sqEntries, int cqEntries) {
        session = new RingSession(sqEntries, cqEntries, false);
        polls = new PollSet(session);
        io = null;
        session.attach(polls, RingClient.NONE);
    }

    private IoUringPoller(RingSession session) {
        this.session = session;
        this.polls = new PollSet(session);
        this.io = new SocketIo(session);
        session.attach(polls, io);
    }

    /**
     * The io_uring-completion backend's poller: its ring is set up disabled and enabled by
     * the first {@link #poll}, so that it belongs to the loop's thread from the start, and
     * it carries the socket I/O of {@link #socketIo()}.
     */
    public static IoUringPoller completion() {
        return new IoUringPoller(new RingSession(COMPLETION_SQ_ENTRIES, COMPLETION_CQ_ENTRIES, true));
    }

    /** Completion mode's socket I/O on this ring, or null for the readiness backend. */
    public SocketIo socketIo() {
        return io;
    }

    @Override
    public String name() {
        return io != null ? "io_uring-completion" : "io_uring";
    }

    @Override
    public void register(int fd, int ev) {
        polls.register(fd, ev);
    }

    @Override
    public void modify(int fd, int ev) {
        polls.modify(fd, ev);
    }

    @Override
    public void unregister(int fd) {
        polls.unregister(fd);
    }

    @Override
    public int poll(long timeoutMs, ReadySet out) {
        return session.wait(timeoutMs, out);
    }

    @Override
    public int size() {
        return polls.size();
    }

    /** The ring, for tests that look at the completions waiting in it. */
    IoUringRing ring() {
        return session.ring();
    }

    @Override
    public void close() {
        session.close();
    }
}
