package dev.uloop.internal.uring;

import static dev.uloop.internal.posix.IoUring.CQE_FLAGS;
import static dev.uloop.internal.posix.IoUring.CQE_RES;
import static dev.uloop.internal.posix.IoUring.CQE_SIZE;
import static dev.uloop.internal.posix.IoUring.CQE_USER_DATA;
import static dev.uloop.internal.posix.IoUring.SQE_ADDR;
import static dev.uloop.internal.posix.IoUring.SQE_FD;
import static dev.uloop.internal.posix.IoUring.SQE_FLAGS;
import static dev.uloop.internal.posix.IoUring.SQE_LEN;
import static dev.uloop.internal.posix.IoUring.SQE_OFF;
import static dev.uloop.internal.posix.IoUring.SQE_OPCODE;
import static dev.uloop.internal.posix.IoUring.SQE_POLL32_EVENTS;
import static dev.uloop.internal.posix.IoUring.SQE_SIZE;
import static dev.uloop.internal.posix.IoUring.SQE_USER_DATA;

import dev.uloop.NativeException;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.IoUring;
import dev.uloop.internal.posix.Mman;
import dev.uloop.internal.posix.Unistd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One io_uring instance and its three shared mappings (what liburing's {@code struct
 * io_uring} is): the submission queue (SQ) ring, the completion queue (CQ) ring (one
 * mapping with the SQ ring when the kernel has IORING_FEAT_SINGLE_MMAP) and the SQE array.
 * It writes SQEs, publishes them, enters the kernel, and hands completions back by index;
 * it allocates nothing after construction.
 *
 * <h2>Memory ordering</h2>
 * The rings are written concurrently by this thread and the kernel, so their indices are
 * accessed with {@code ValueLayout.JAVA_INT.varHandle()} in acquire/release mode, exactly
 * where liburing uses {@code smp_load_acquire}/{@code smp_store_release}:
 * <ul>
 * <li><b>SQ tail</b>, written with {@code setRelease} after the SQEs: the kernel reads it
 *     with acquire, so it sees every SQE byte written before the tail moved.</li>
 * <li><b>SQ head</b>, read with {@code getAcquire}: the kernel moves it once it has consumed
 *     the SQEs, and only then may their slots be written again.</li>
 * <li><b>CQ tail</b>, read with {@code getAcquire}: the kernel writes a CQE, then releases
 *     the tail, so every CQE below the tail we read is complete.</li>
 * <li><b>CQ head</b>, written with {@code setRelease} after the CQEs were read: the kernel
 *     may reuse a slot only after it sees the head pass it.</li>
 * </ul>
 * Everything else (SQE and CQE contents, the constant masks) is plain memory ordered by
 * those four accesses. None of this is visible to a unit test; it is what the kernel's
 * io_uring documentation and liburing prescribe, on x86_64 (where acquire/release are
 * plain moves) as on aarch64 (where they are {@code ldar}/{@code stlr}).
 *
 * <h2>Who runs the completions</h2>
 * A poll request completes through task work of the thread that submitted it. By default
 * the kernel interrupts that thread for it (an IPI when it is running, a wake-up when it
 * sleeps): in an echo server that cost 40 % or more CPU per message than epoll, one
 * interrupt per arriving message. With {@code singleIssuer}, on Linux 6.1+, the ring is
 * set up with IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN instead: the task
 * work waits until the thread's next io_uring_enter(GETEVENTS), the loop's own wait, like
 * epoll's ready list; the price is that only the thread that set the ring up may enter it
 * (others get EEXIST, see {@link #singleIssuer()}).
 *
 * <p>One thread at a time: the poller that owns the ring serialises every call.
 */
public final class IoUringRing implements AutoCloseable {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final int fd;
    private final int features;
    private final int setupFlags;
    private final Arena arena = Arena.ofShared();   // owns the mappings (munmap on close) and waitArg
    private final MemorySegment sq;                 // SQ ring: head, tail, flags, array
    private final MemorySegment cq;                 // CQ ring: head, tail, cqes (may be the same mapping)
    private final MemorySegment sqes;               // SQE array
    private final long sqHeadOff;
    private final long sqTailOff;
    private final long cqHeadOff;
    private final long cqTailOff;
    private final long cqesOff;
    private final int sqEntries;
    private final int sqMask;
    private final int cqEntries;
    private final int cqMask;
    private final MemorySegment waitArg;            // io_uring_getevents_arg
    private final MemorySegment timespec;           // __kernel_timespec, pointed to by waitArg.ts
    private int sqTail;                             // SQEs written; published by the next enter
    private int cqHead;                             // CQEs consumed; published by cqAdvance
    private boolean closed;

    /**
     * Sets up a ring and maps it.
     *
     * @param sqEntries    submission queue size (a power of two; the kernel clamps it)
     * @param cqEntries    completion queue size (a power of two, at least {@code sqEntries})
     * @param singleIssuer ask for a ring only this thread may enter, whose completions run in
     *                     its waits (Linux 6.1+; older kernels give an ordinary ring)
     * @throws NativeException when the kernel refuses
     */
    public IoUringRing(int sqEntries, int cqEntries, boolean singleIssuer) {
        this(sqEntries, cqEntries, singleIssuer, false);
    }

    /**
     * Sets up a ring and maps it, optionally disabled.
     *
     * @param disabled set the ring up disabled (IORING_SETUP_R_DISABLED): nothing can be
     *                 submitted until {@link #enable()}, and a single-issuer ring then belongs
     *                 to the thread that enables it, so that a ring set up on one thread can
     *                 be handed to the thread that will run it
     * @see #IoUringRing(int, int, boolean)
     */
    public IoUringRing(int sqEntries, int cqEntries, boolean singleIssuer, boolean disabled) {
        int base = IoUring.IORING_SETUP_CQSIZE | IoUring.IORING_SETUP_CLAMP
                | (disabled ? IoUring.IORING_SETUP_R_DISABLED : 0);
        int single = base | IoUring.IORING_SETUP_SINGLE_ISSUER | IoUring.IORING_SETUP_DEFER_TASKRUN;
        MemorySegment p = arena.allocate(IoUring.PARAMS);
        int flags = singleIssuer ? single : base;
        int ringFd = setup(p, sqEntries, cqEntries, flags);
        if (ringFd == -Errno.EINVAL && flags != base) {
            flags = base;                     // a kernel before 6.1
            ringFd = setup(p, sqEntries, cqEntries, flags);
        }
        if (ringFd < 0) {
            arena.close();
            throw Errors.exception("io_uring_setup(entries=" + sqEntries + ", cq_entries=" + cqEntries + ")", -ringFd);
        }
        setupFlags = flags;
        try {
            fd = ringFd;
            features = p.get(ValueLayout.JAVA_INT, IoUring.PARAMS_FEATURES);
            this.sqEntries = p.get(ValueLayout.JAVA_INT, IoUring.PARAMS_SQ_ENTRIES);
            this.cqEntries = p.get(ValueLayout.JAVA_INT, IoUring.PARAMS_CQ_ENTRIES);
            long so = IoUring.PARAMS_SQ_OFF;
            long co = IoUring.PARAMS_CQ_OFF;
            long sqArrayOff = Integer.toUnsignedLong(p.get(ValueLayout.JAVA_INT, so + IoUring.SQOFF_ARRAY));
            long sqSize = sqArrayOff + this.sqEntries * 4L;
            long cqSize = Integer.toUnsignedLong(p.get(ValueLayout.JAVA_INT, co + IoUring.CQOFF_CQES))
                    + this.cqEntries * CQE_SIZE;
            if ((features & IoUring.IORING_FEAT_SINGLE_MMAP) != 0) {
                sq = map(Math.max(sqSize, cqSize), IoUring.IORING_OFF_SQ_RING, "rings");
                cq = sq;
            } else {
                sq = map(sqSize, IoUring.IORING_OFF_SQ_RING, "SQ ring");
                cq = map(cqSize, IoUring.IORING_OFF_CQ_RING, "CQ ring");
            }
            sqes = map(this.sqEntries * SQE_SIZE, IoUring.IORING_OFF_SQES, "SQEs");
            sqHeadOff = uint(p, so + IoUring.SQOFF_HEAD);
            sqTailOff = uint(p, so + IoUring.SQOFF_TAIL);
            sqMask = sq.get(ValueLayout.JAVA_INT, uint(p, so + IoUring.SQOFF_RING_MASK));
            cqHeadOff = uint(p, co + IoUring.CQOFF_HEAD);
            cqTailOff = uint(p, co + IoUring.CQOFF_TAIL);
            cqesOff = uint(p, co + IoUring.CQOFF_CQES);
            cqMask = cq.get(ValueLayout.JAVA_INT, uint(p, co + IoUring.CQOFF_RING_MASK));
            // SQE slot i is always array entry i, so the array is filled once.
            for (int i = 0; i < this.sqEntries; i++) {
                sq.set(ValueLayout.JAVA_INT, sqArrayOff + 4L * i, i);
            }
            sqTail = (int) INT.getAcquire(sq, sqTailOff);
            cqHead = (int) INT.getAcquire(cq, cqHeadOff);
            waitArg = arena.allocate(IoUring.GETEVENTS_ARG);
            timespec = arena.allocate(IoUring.TIMESPEC);
            waitArg.set(ValueLayout.JAVA_LONG, IoUring.ARG_TS, timespec.address());
        } catch (RuntimeException e) {
            arena.close();
            Unistd.close(ringFd);
            throw e;
        }
    }

    private static int setup(MemorySegment p, int sqEntries, int cqEntries, int flags) {
        p.fill((byte) 0);
        p.set(ValueLayout.JAVA_INT, IoUring.PARAMS_FLAGS, flags);
        p.set(ValueLayout.JAVA_INT, IoUring.PARAMS_CQ_ENTRIES, cqEntries);
        return IoUring.setup(sqEntries, p);
    }

    private static long uint(MemorySegment p, long offset) {
        return Integer.toUnsignedLong(p.get(ValueLayout.JAVA_INT, offset));
    }

    private MemorySegment map(long size, long offset, String what) {
        long addr = Mman.mmap(size, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED | Mman.MAP_POPULATE, fd, offset);
        if (addr < 0) {
            throw Errors.exception("mmap(io_uring " + what + ", fd=" + fd + ", " + size + " bytes)", (int) -addr);
        }
        return MemorySegment.ofAddress(addr).reinterpret(size, arena, s -> Mman.munmap(s, s.byteSize()));
    }

    /**
     * Enables a ring set up disabled; a single-issuer ring now belongs to the calling thread.
     *
     * @throws NativeException when the kernel refuses
     */
    public void enable() {
        int r = IoUring.register(fd, IoUring.IORING_REGISTER_ENABLE_RINGS, MemorySegment.NULL, 0);
        if (r < 0) {
            throw Errors.exception("io_uring_register(ENABLE_RINGS, fd=" + fd + ")", -r);
        }
    }

    /** Whether the ring was set up disabled (whether {@link #enable()} is needed before submitting). */
    public boolean setUpDisabled() {
        return (setupFlags & IoUring.IORING_SETUP_R_DISABLED) != 0;
    }

    /** The ring's file descriptor. */
    public int fd() {
        return fd;
    }

    /** The {@code IORING_FEAT_*} bits of this kernel. */
    public int features() {
        return features;
    }

    /** The {@code IORING_SETUP_*} flags the ring was set up with. */
    public int setupFlags() {
        return setupFlags;
    }

    /**
     * Whether only the thread that set the ring up may enter it (SINGLE_ISSUER and
     * DEFER_TASKRUN): io_uring_enter from any other thread fails with EEXIST.
     */
    public boolean singleIssuer() {
        return (setupFlags & IoUring.IORING_SETUP_SINGLE_ISSUER) != 0;
    }

    /** Submission queue size, as the kernel set it up. */
    public int sqEntries() {
        return sqEntries;
    }

    /** Completion queue size, as the kernel set it up. */
    public int cqEntries() {
        return cqEntries;
    }

    // ------------------------------------------------------------------ submission

    /** SQEs written but not consumed by the kernel yet (published or not). */
    public int unsubmitted() {
        return sqTail - (int) INT.getAcquire(sq, sqHeadOff);
    }

    /** Whether another SQE fits before the next submit. */
    public boolean sqFull() {
        return unsubmitted() >= sqEntries;
    }

    /** A zeroed SQE at the tail: its byte offset in the SQE array. The caller checked {@link #sqFull()}. */
    private long nextSqe() {
        long off = (sqTail & sqMask) * SQE_SIZE;
        sqTail++;
        for (long i = 0; i < SQE_SIZE; i += 8) {
            sqes.set(ValueLayout.JAVA_LONG, off + i, 0L);
        }
        return off;
    }

    /**
     * Queues {@code IORING_OP_POLL_ADD}: one completion when {@code fd} has one of
     * {@code events} (or ERR/HUP), or a completion each time with {@code multishot}.
     */
    public void pollAdd(int fd, int events, long userData, boolean multishot) {
        long s = nextSqe();
        sqes.set(ValueLayout.JAVA_BYTE, s + SQE_OPCODE, (byte) IoUring.IORING_OP_POLL_ADD);
        sqes.set(ValueLayout.JAVA_INT, s + SQE_FD, fd);
        sqes.set(ValueLayout.JAVA_INT, s + SQE_LEN, multishot ? IoUring.IORING_POLL_ADD_MULTI : 0);
        sqes.set(ValueLayout.JAVA_INT, s + SQE_POLL32_EVENTS, events);
        sqes.set(ValueLayout.JAVA_LONG, s + SQE_USER_DATA, userData);
    }

    /** Queues {@code IORING_OP_POLL_REMOVE} of the poll request whose user_data is {@code target}. */
    public void pollRemove(long target, long userData, int sqeFlags) {
        long s = nextSqe();
        sqes.set(ValueLayout.JAVA_BYTE, s + SQE_OPCODE, (byte) IoUring.IORING_OP_POLL_REMOVE);
        sqes.set(ValueLayout.JAVA_BYTE, s + SQE_FLAGS, (byte) sqeFlags);
        sqes.set(ValueLayout.JAVA_INT, s + SQE_FD, -1);
        sqes.set(ValueLayout.JAVA_LONG, s + SQE_ADDR, target);
        sqes.set(ValueLayout.JAVA_LONG, s + SQE_USER_DATA, userData);
    }

    /**
     * Queues a poll update (Linux 5.13+): the armed poll {@code target} now waits for
     * {@code events}, keeping its user_data; the kernel checks the file again as for a new
     * poll. {@code multishot} must say what the request is, or it becomes one-shot.
     */
    public void pollUpdate(long target, int events, boolean multishot, long userData, int sqeFlags) {
        long s = nextSqe();
        sqes.set(ValueLayout.JAVA_BYTE, s + SQE_OPCODE, (byte) IoUring.IORING_OP_POLL_REMOVE);
        sqes.set(ValueLayout.JAVA_BYTE, s + SQE_FLAGS, (byte) sqeFlags);
        sqes.set(ValueLayout.JAVA_INT, s + SQE_FD, -1);
        sqes.set(ValueLayout.JAVA_LONG, s + SQE_ADDR, target);
        sqes.set(ValueLayout.JAVA_LONG, s + SQE_OFF, 0L);
        sqes.set(ValueLayout.JAVA_INT, s + SQE_LEN,
                IoUring.IORING_POLL_UPDATE_EVENTS | (multishot ? IoUring.IORING_POLL_ADD_MULTI : 0));
        sqes.set(ValueLayout.JAVA_INT, s + SQE_POLL32_EVENTS, events);
        sqes.set(ValueLayout.JAVA_LONG, s + SQE_USER_DATA, userData);
    }

    /**
     * Queues a multishot {@code IORING_OP_ACCEPT} (Linux 5.19+): one completion per accepted
     * connection, whose res is the new socket (opened with {@code acceptFlags}, e.g.
     * SOCK_CLOEXEC), with IORING_CQE_F_MORE while the request stays armed.
     */
    public void acceptMultishot(int fd, int acceptFlags, long userData) {
        long s = nextSqe();
        sqes.set(ValueLayout.JAVA_BYTE, s + SQE_OPCODE, (byte) IoUring.IORING_OP_ACCEPT);
        sqes.set(ValueLayout.JAVA_SHORT, s + IoUring.SQE_IOPRIO, (short) IoUring.IORING_ACCEPT_MULTISHOT);
        sqes.set(ValueLayout.JAVA_INT, s + SQE_FD, fd);
        sqes.set(ValueLayout.JAVA_INT, s + SQE_POLL32_EVENTS, acceptFlags);   // accept_flags
        sqes.set(ValueLayout.JAVA_LONG, s + SQE_USER_DATA, userData);
    }

    /**
     * Queues a multishot {@code IORING_OP_RECV} into buffers of the provided buffer group
     * {@code bufferGroup} (Linux 6.0+): one completion per chunk received, res the byte count
     * (0 at end of stream) and the buffer id in {@code flags >>> IORING_CQE_BUFFER_SHIFT};
     * without IORING_CQE_F_MORE the request has ended (end of stream, an error, or -ENOBUFS
     * when the group ran out of buffers) and must be queued again to receive more.
     */
    public void recvMultishot(int fd, int bufferGroup, long userData) {
        long s = nextSqe();
        sqes.set(ValueLayout.JAVA_BYTE, s + SQE_OPCODE, (byte) IoUring.IORING_OP_RECV);
        sqes.set(ValueLayout.JAVA_BYTE, s + SQE_FLAGS, (byte) IoUring.IOSQE_BUFFER_SELECT);
        sqes.set(ValueLayout.JAVA_SHORT, s + IoUring.SQE_IOPRIO, (short) IoUring.IORING_RECV_MULTISHOT);
        sqes.set(ValueLayout.JAVA_INT, s + SQE_FD, fd);
        sqes.set(ValueLayout.JAVA_SHORT, s + IoUring.SQE_BUF_INDEX, (short) bufferGroup);   // buf_group
        sqes.set(ValueLayout.JAVA_LONG, s + SQE_USER_DATA, userData);
    }

    /**
     * Queues {@code IORING_OP_SEND} of {@code len} bytes at native address {@code addr} with
     * {@code msgFlags} (e.g. MSG_NOSIGNAL): res is the byte count sent (possibly short), or
     * -errno. The bytes must stay put until the completion.
     */
    public void send(int fd, long addr, int len, int msgFlags, long userData) {
        long s = nextSqe();
        sqes.set(ValueLayout.JAVA_BYTE, s + SQE_OPCODE, (byte) IoUring.IORING_OP_SEND);
        sqes.set(ValueLayout.JAVA_INT, s + SQE_FD, fd);
        sqes.set(ValueLayout.JAVA_LONG, s + SQE_ADDR, addr);
        sqes.set(ValueLayout.JAVA_INT, s + SQE_LEN, len);
        sqes.set(ValueLayout.JAVA_INT, s + SQE_POLL32_EVENTS, msgFlags);   // msg_flags
        sqes.set(ValueLayout.JAVA_LONG, s + SQE_USER_DATA, userData);
    }

    /**
     * Queues {@code IORING_OP_ASYNC_CANCEL} of every request on {@code fd} (Linux 5.19):
     * each ends with -ECANCELED (or its own result, if it finished first); the cancel's own
     * completion carries the number cancelled, or -ENOENT.
     */
    public void cancelFd(int fd, long userData, int sqeFlags) {
        long s = nextSqe();
        sqes.set(ValueLayout.JAVA_BYTE, s + SQE_OPCODE, (byte) IoUring.IORING_OP_ASYNC_CANCEL);
        sqes.set(ValueLayout.JAVA_BYTE, s + SQE_FLAGS, (byte) sqeFlags);
        sqes.set(ValueLayout.JAVA_INT, s + SQE_FD, fd);
        sqes.set(ValueLayout.JAVA_INT, s + SQE_POLL32_EVENTS,                 // cancel_flags
                IoUring.IORING_ASYNC_CANCEL_FD | IoUring.IORING_ASYNC_CANCEL_ALL);
        sqes.set(ValueLayout.JAVA_LONG, s + SQE_USER_DATA, userData);
    }

    /** Queues {@code IORING_OP_ASYNC_CANCEL} of the request whose user_data is {@code target}. */
    public void cancel(long target, long userData, int sqeFlags) {
        long s = nextSqe();
        sqes.set(ValueLayout.JAVA_BYTE, s + SQE_OPCODE, (byte) IoUring.IORING_OP_ASYNC_CANCEL);
        sqes.set(ValueLayout.JAVA_BYTE, s + SQE_FLAGS, (byte) sqeFlags);
        sqes.set(ValueLayout.JAVA_INT, s + SQE_FD, -1);
        sqes.set(ValueLayout.JAVA_LONG, s + SQE_ADDR, target);
        sqes.set(ValueLayout.JAVA_LONG, s + SQE_USER_DATA, userData);
    }

    /**
     * Publishes the queued SQEs and submits them without waiting (used when the SQ is full
     * before the wait).
     *
     * @return SQEs consumed, or -errno
     */
    public int submit() {
        INT.setRelease(sq, sqTailOff, sqTail);
        return IoUring.enter(fd, unsubmitted(), 0, 0, MemorySegment.NULL, 0);
    }

    /**
     * Publishes the queued SQEs, submits them and waits for completions, in one
     * io_uring_enter.
     *
     * @param timeoutNanos 0 to collect what is there without waiting, negative to wait for
     *                     at least one completion without a time limit, else the longest
     *                     wait for one (relative, IORING_ENTER_EXT_ARG)
     * @return SQEs consumed when it submitted any, else 0 or {@code -ETIME}, {@code -EINTR}, ...
     */
    public int submitAndWait(long timeoutNanos) {
        INT.setRelease(sq, sqTailOff, sqTail);
        int n = unsubmitted();
        if (timeoutNanos == 0) {
            return IoUring.enter(fd, n, 0, IoUring.IORING_ENTER_GETEVENTS, MemorySegment.NULL, 0);
        }
        if (timeoutNanos < 0) {
            return IoUring.enter(fd, n, 1, IoUring.IORING_ENTER_GETEVENTS, MemorySegment.NULL, 0);
        }
        timespec.set(ValueLayout.JAVA_LONG, IoUring.TS_SEC, timeoutNanos / 1_000_000_000L);
        timespec.set(ValueLayout.JAVA_LONG, IoUring.TS_NSEC, timeoutNanos % 1_000_000_000L);
        return IoUring.enter(fd, n, 1, IoUring.IORING_ENTER_GETEVENTS | IoUring.IORING_ENTER_EXT_ARG,
                waitArg, IoUring.GETEVENTS_ARG.byteSize());
    }

    // ------------------------------------------------------------------ completion

    /** The index of the first unconsumed CQE. */
    public int cqHead() {
        return cqHead;
    }

    /** The kernel's CQ tail (acquire): every CQE below it is complete. */
    public int cqTail() {
        return (int) INT.getAcquire(cq, cqTailOff);
    }

    private long cqe(int index) {
        return cqesOff + (index & cqMask) * CQE_SIZE;
    }

    /** The user_data of CQE {@code index}. */
    public long userData(int index) {
        return cq.get(ValueLayout.JAVA_LONG, cqe(index) + CQE_USER_DATA);
    }

    /** The result of CQE {@code index}: for a poll, the ready bits, or -errno. */
    public int res(int index) {
        return cq.get(ValueLayout.JAVA_INT, cqe(index) + CQE_RES);
    }

    /** The flags of CQE {@code index} ({@code IORING_CQE_F_MORE}, ...). */
    public int flags(int index) {
        return cq.get(ValueLayout.JAVA_INT, cqe(index) + CQE_FLAGS);
    }

    /** Marks the CQEs below {@code newHead} consumed (release), so the kernel may reuse their slots. */
    public void cqAdvance(int newHead) {
        cqHead = newHead;
        INT.setRelease(cq, cqHeadOff, newHead);
    }

    /** Unmaps the rings and closes the ring; the kernel cancels what is still in flight. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        arena.close();
        Unistd.close(fd);
    }
}
