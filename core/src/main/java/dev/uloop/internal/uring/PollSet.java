package dev.uloop.internal.uring;

import dev.uloop.daemon.LogThrottle;
import dev.uloop.Events;
import dev.uloop.internal.poller.Descriptors;
import dev.uloop.internal.poller.FdTable;
import dev.uloop.internal.poller.ReadySet;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.IoUring;
import dev.uloop.internal.util.Grow;
import java.lang.System.Logger.Level;
import java.util.Arrays;

/**
 * The watched descriptors of an io_uring loop: one {@code IORING_OP_POLL_ADD} request per
 * descriptor with interest, level-triggered like the other backends (see
 * {@link IoUringPoller} for how).
 *
 * <h2>Stale completions</h2>
 * The user_data of a poll is {@code (tag << 32) | fd}, where the tag is a per-fd counter
 * bumped for every request. A completion is accepted only if it carries the tag of the
 * request armed now: the -ECANCELED of a removed request, or the result of a request that
 * completed before its fd was unregistered, closed and its number registered again, is
 * ignored. Removes and updates carry user_data -1 and are skipped with
 * IOSQE_CQE_SKIP_SUCCESS where the kernel has it (5.17+).
 *
 * <p>Per-fd state lives in arrays indexed by fd; nothing is allocated per wait.
 */
final class PollSet implements RingClient {
    private static final System.Logger LOG = System.getLogger("uloop.poller.IoUring");
    private static final LogThrottle THROTTLE = new LogThrottle(LOG);
    /** What poll(2) and epoll report whatever was asked for. */
    private static final int ALWAYS = Events.ERR | Events.HUP | Events.NVAL;

    private final RingSession session;
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

    PollSet(RingSession session) {
        this.session = session;
    }

    void register(int fd, int ev) {
        Descriptors.requireOpen(fd);
        ensure(fd);
        interest.put(fd, ev);
        rdhupOnly[fd] = false;
        size++;
        if (ev != 0) {
            queue(fd);
        }
    }

    void modify(int fd, int ev) {
        interest.put(fd, ev);
        queue(fd);
    }

    void unregister(int fd) {
        interest.remove(fd);
        if (fd < armedTag.length && armedTag[fd] != 0) {
            // Removed now, not with the next wait: the request holds a reference to the file,
            // and a close(2) right after remove() must really close it (a listening socket
            // must refuse connections, a socket must send its FIN), as it does with epoll.
            long ud = userData(fd, armedTag[fd]);
            armedTag[fd] = 0;
            session.room();
            session.ring().pollRemove(ud, RingSession.INTERNAL, session.skipSuccess());
            session.submitNow(fd, ud);
        }
        size--;
    }

    int size() {
        return size;
    }

    private void ensure(int fd) {
        if (fd >= armedTag.length) {
            int n = Grow.length(armedTag.length, fd + 1);
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
                changes = Arrays.copyOf(changes, Grow.length(changeCount, changeCount + 1));
            }
            changes[changeCount++] = fd;
        }
    }

    private void retire(long userData) {
        if (retiredCount == retired.length) {
            retired = Arrays.copyOf(retired, Grow.length(retiredCount, retiredCount + 1));
        }
        retired[retiredCount++] = userData;
    }

    private static long userData(int fd, int tag) {
        return ((long) tag << 32) | Integer.toUnsignedLong(fd);
    }

    /** Turns the queued changes into SQEs. */
    @Override
    public void prepare() {
        IoUringRing ring;
        for (int i = 0; i < retiredCount; i++) {
            session.room();
            session.ring().pollRemove(retired[i], RingSession.INTERNAL, session.skipSuccess());
        }
        retiredCount = 0;
        boolean canMultishot = session.canMultishot();
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
                session.room();
                ring = session.ring();
                if (ev != 0 && canMultishot && !armedMulti[fd] && !multi) {
                    ring.pollUpdate(userData(fd, tag), ev, false, RingSession.INTERNAL, session.skipSuccess());
                    armedEvents[fd] = ev;
                    continue;
                }
                ring.pollRemove(userData(fd, tag), RingSession.INTERNAL, session.skipSuccess());
                armedTag[fd] = 0;
            }
            if (ev != 0) {
                session.room();
                int t = lastTag[fd] + 1 & Integer.MAX_VALUE;
                if (t == 0) {
                    t = 1;
                }
                lastTag[fd] = t;
                armedTag[fd] = t;
                armedEvents[fd] = ev;
                armedMulti[fd] = multi;
                session.ring().pollAdd(fd, ev, userData(fd, t), multi);
            }
        }
        changeCount = 0;
    }

    @Override
    public boolean owns(long userData) {
        return userData >= 0;
    }

    /** A poll request completed: report the fd (unless stale, or only io_uring's own RDHUP) and arm it again. */
    @Override
    public void complete(long ud, int res, int flags, ReadySet out) {
        int fd = (int) ud;
        int tag = (int) (ud >>> 32);
        if (fd >= armedTag.length || armedTag[fd] != tag) {
            return;                   // a removed request, or one from before the fd was registered again
        }
        boolean more = (flags & IoUring.IORING_CQE_F_MORE) != 0;
        if (res > 0 && (res & (armedEvents[fd] | ALWAYS)) == 0) {
            // Only the RDHUP io_uring always adds: not what epoll or poll(2) would report.
            if (!more) {
                armedTag[fd] = 0;
                rdhupOnly[fd] = true;     // wait with a multishot request from now on
                queue(fd);
            }
            return;
        }
        if (more) {
            retire(ud);               // a multishot request reported: back to one-shot for the re-check
        }
        armedTag[fd] = 0;
        rdhupOnly[fd] = false;
        queue(fd);                    // armed again before the next wait: level-triggered
        if (res > 0) {
            if (out != null) {
                out.add(fd, res);
            }
        } else if (res < 0) {
            failed(fd, -res);
        }
    }

    private void failed(int fd, int errno) {
        if (errno == Errno.ECANCELED) {
            return;                   // the kernel ended it (its submitting thread exited): armed again
        }
        interest.put(fd, 0);          // parked until modify() asks again
        if (errno == Errno.EBADF) {
            Descriptors.closedWhileRegistered(THROTTLE, fd);
        } else {
            THROTTLE.log(Level.WARNING, errno, "io_uring POLL_ADD(fd=" + fd + ") failed: " + Errno.name(errno)
                    + " (" + Errno.description(errno) + "); no longer watched");
        }
    }

    @Override
    public int pending() {
        return 0;
    }

    @Override
    public void beforeMove() {
    }

    /** The ring was replaced: the old requests ended with it; every watched fd is armed again. */
    @Override
    public void moved() {
        retiredCount = 0;
        for (int fd = 0; fd < armedTag.length; fd++) {
            armedTag[fd] = 0;
            if (interest.get(fd) > 0) {
                queue(fd);
            }
        }
    }

    /** Removes every armed request, so that the watched files are let go before the ring closes. */
    @Override
    public void closing() {
        for (int i = 0; i < retiredCount; i++) {
            session.room();
            session.ring().pollRemove(retired[i], RingSession.INTERNAL, session.skipSuccess());
        }
        retiredCount = 0;
        for (int fd = 0; fd < armedTag.length; fd++) {
            if (armedTag[fd] != 0) {
                session.room();
                session.ring().pollRemove(userData(fd, armedTag[fd]), RingSession.INTERNAL, session.skipSuccess());
                armedTag[fd] = 0;
            }
        }
    }

    @Override
    public void closed() {
    }
}
