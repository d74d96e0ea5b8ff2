package dev.uloop.internal.poller;

import dev.uloop.daemon.LogThrottle;
import dev.uloop.Events;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.LibC;
import dev.uloop.internal.posix.Select;
import dev.uloop.internal.posix.Socket;
import dev.uloop.internal.posix.Unistd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * select(2) backend: three bit sets (read, write, except) copied from master sets and
 * scanned on every wait, so a wait costs O(highest fd).
 *
 * <p>The sets are sized to the highest registered fd, never to a fixed FD_SETSIZE, and
 * the kernel is told exactly that many bits ({@code nfds = maxfd + 1}), so select never
 * writes outside them. Linux accepts any nfds up to the descriptor table size, so this
 * backend works past 1024 descriptors there (as libevent's does). Where the kernel
 * enforces FD_SETSIZE, {@link #register} refuses larger fds and names poll and epoll.
 *
 * <p>select reports read, write and except (urgent data) readiness: IN, OUT, PRI. RDHUP,
 * when asked for, is derived with a one-byte {@code recv(MSG_PEEK)} that returns 0 at EOF.
 */
public final class SelectPoller implements Poller, Waits.Once {
    private static final System.Logger LOG = System.getLogger("uloop.poller.Select");
    private static final LogThrottle THROTTLE = new LogThrottle(LOG);

    private final int fdLimit;                 // fds must be below this
    private final Arena arena = Arena.ofShared();
    private final MemorySegment timeval;       // rewritten before each call: Linux updates it
    private final MemorySegment peekByte;      // scratch for the RDHUP probe
    private final NativeArray readMaster = new NativeArray(8, 16);
    private final NativeArray writeMaster = new NativeArray(8, 16);
    private final NativeArray exceptMaster = new NativeArray(8, 16);
    private final NativeArray readSet = new NativeArray(8, 16);   // working copies passed to select
    private final NativeArray writeSet = new NativeArray(8, 16);
    private final NativeArray exceptSet = new NativeArray(8, 16);
    private final FdTable interest = new FdTable();  // fd -> interest (0 = parked)
    private int maxFd = -1;                    // highest fd in any set
    private int size;                          // registered fds

    /** A select backend with this platform's fd limit (none on Linux, else FD_SETSIZE). */
    public SelectPoller() {
        this(LibC.LINUX ? Integer.MAX_VALUE : Select.FD_SETSIZE);
    }

    /** A select backend that refuses descriptors at or above {@code fdLimit}, as strict kernels do (for tests). */
    public SelectPoller(int fdLimit) {
        this.fdLimit = fdLimit;
        this.timeval = arena.allocate(Select.TIMEVAL);
        this.peekByte = arena.allocate(1);
    }

    @Override
    public String name() {
        return "select";
    }

    @Override
    public void register(int fd, int ev) {
        Descriptors.requireOpen(fd);           // first: a descriptor that is not open is EBADF, whatever its number
        if (fd >= fdLimit) {
            throw new IllegalArgumentException("select cannot watch fd " + fd + ": this platform's select() takes only"
                    + " descriptors below " + fdLimit + " (FD_SETSIZE); use the poll or epoll backend");
        }
        int words = (fd >>> 6) + 1;
        for (NativeArray a : new NativeArray[] {readMaster, writeMaster, exceptMaster, readSet, writeSet, exceptSet}) {
            a.ensureCapacity(words);
        }
        interest.put(fd, 0);
        size++;
        modify(fd, ev);
    }

    @Override
    public void modify(int fd, int ev) {
        interest.put(fd, ev);
        setBit(readMaster, fd, (ev & (Events.IN | Events.RDHUP)) != 0);
        setBit(writeMaster, fd, (ev & Events.OUT) != 0);
        setBit(exceptMaster, fd, (ev & Events.PRI) != 0);
        if (ev != 0 && fd > maxFd) {
            maxFd = fd;
        } else if (ev == 0 && fd == maxFd) {
            lowerMaxFd();
        }
    }

    @Override
    public void unregister(int fd) {
        modify(fd, 0);
        interest.remove(fd);
        size--;
    }

    private void lowerMaxFd() {
        int f = maxFd;
        while (f >= 0 && interest.get(f) <= 0) {
            f--;
        }
        maxFd = f;
    }

    private static void setBit(NativeArray set, int fd, boolean on) {
        MemorySegment s = set.segment();
        long off = (long) (fd >>> 6) * 8;
        long word = s.get(ValueLayout.JAVA_LONG, off);
        long bit = 1L << (fd & 63);
        s.set(ValueLayout.JAVA_LONG, off, on ? word | bit : word & ~bit);
    }

    @Override
    public int poll(long timeoutMs, ReadySet out) {
        out.clear();
        int n = Waits.retrying(this, timeoutMs);
        if (n < 0) {
            throw Errors.exception("select(nfds=" + (maxFd + 1) + ")", -n);
        }
        if (n > 0) {
            collect(out);
        }
        return out.size();
    }

    /** One select; EBADF (a descriptor closed while registered) parks it and asks to be called again. */
    @Override
    public int waitOnce(int timeout) {
        int n = selectOnce(timeout);
        if (n == -Errno.EBADF) {
            parkClosedDescriptors();
            return -Errno.EINTR;
        }
        return n;
    }

    private int selectOnce(int timeout) {
        int nfds = maxFd + 1;
        long bytes = nfds == 0 ? 0 : ((long) (maxFd >>> 6) + 1) * 8;
        MemorySegment r = readSet.segment();
        MemorySegment w = writeSet.segment();
        MemorySegment e = exceptSet.segment();
        MemorySegment.copy(readMaster.segment(), 0, r, 0, bytes);
        MemorySegment.copy(writeMaster.segment(), 0, w, 0, bytes);
        MemorySegment.copy(exceptMaster.segment(), 0, e, 0, bytes);
        MemorySegment tv = MemorySegment.NULL;
        if (timeout >= 0) {
            timeval.set(ValueLayout.JAVA_LONG, 0, timeout / 1000);
            timeval.set(ValueLayout.JAVA_LONG, 8, (timeout % 1000) * 1000L);
            tv = timeval;
        }
        return Select.select(nfds, r, w, e, tv);
    }

    private void collect(ReadySet out) {
        MemorySegment r = readSet.segment();
        MemorySegment w = writeSet.segment();
        MemorySegment e = exceptSet.segment();
        int words = (maxFd >>> 6) + 1;
        for (int i = 0; i < words; i++) {
            long off = i * 8L;
            long rw = r.get(ValueLayout.JAVA_LONG, off);
            long ww = w.get(ValueLayout.JAVA_LONG, off);
            long ew = e.get(ValueLayout.JAVA_LONG, off);
            long any = rw | ww | ew;
            while (any != 0) {
                int bit = Long.numberOfTrailingZeros(any);
                long mask = 1L << bit;
                any &= ~mask;
                int fd = (i << 6) | bit;
                int ev = 0;
                if ((rw & mask) != 0) {
                    ev |= Events.IN;
                    if ((interest.get(fd) & Events.RDHUP) != 0 && atEof(fd)) {
                        ev |= Events.RDHUP;
                    }
                }
                if ((ww & mask) != 0) {
                    ev |= Events.OUT;
                }
                if ((ew & mask) != 0) {
                    ev |= Events.PRI;
                }
                out.add(fd, ev);
            }
        }
    }

    private boolean atEof(int fd) {
        return Socket.recv(fd, peekByte, 1, Socket.MSG_PEEK | Socket.MSG_DONTWAIT) == 0;
    }

    /** select failed with EBADF: find the fds closed while registered and stop watching them. */
    private void parkClosedDescriptors() {
        for (int fd = 0; fd <= maxFd; fd++) {
            if (interest.get(fd) > 0 && Unistd.fcntl(fd, Unistd.F_GETFD, 0) == -Errno.EBADF) {
                Descriptors.closedWhileRegistered(THROTTLE, fd);
                modify(fd, 0);
            }
        }
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void close() {
        for (NativeArray a : new NativeArray[] {readMaster, writeMaster, exceptMaster, readSet, writeSet, exceptSet}) {
            a.close();
        }
        arena.close();
    }
}
