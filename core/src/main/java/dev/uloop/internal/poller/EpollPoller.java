package dev.uloop.internal.poller;

import dev.uloop.internal.posix.Epoll;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.Unistd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * epoll(7) backend: interest lives in the kernel, a wait costs O(ready). Level-triggered.
 * The fd is stored in {@code epoll_event.data}; the result array doubles when a wait
 * fills it (up to {@link #MAX_EVENTS}).
 */
public final class EpollPoller implements Poller, Waits.Once {
    private static final int INITIAL_EVENTS = 64;
    private static final int MAX_EVENTS = 4096;

    private final int epfd;                 // the epoll instance
    private final Arena arena = Arena.ofShared();
    private final MemorySegment ctlEvent;   // scratch epoll_event for epoll_ctl
    private final NativeArray events;       // epoll_wait results
    private final FdTable interest = new FdTable();  // fd -> interest, for interest-0 parking
    private int size;                       // registered fds

    /** A new epoll instance. */
    public EpollPoller() {
        int fd = Epoll.create1(Epoll.EPOLL_CLOEXEC);
        if (fd < 0) {
            arena.close();
            throw Errors.exception("epoll_create1(EPOLL_CLOEXEC)", -fd);
        }
        epfd = fd;
        ctlEvent = arena.allocate(Epoll.EVENT);
        events = new NativeArray(Epoll.EVENT_SIZE, INITIAL_EVENTS);
        System.getLogger("uloop.poller.Epoll").log(System.Logger.Level.DEBUG, "epoll instance fd={0}", epfd);
    }

    @Override
    public String name() {
        return "epoll";
    }

    @Override
    public void register(int fd, int ev) {
        if (ev != 0) {
            ctl(Epoll.EPOLL_CTL_ADD, fd, ev);
        } else {
            Descriptors.requireOpen(fd);
        }
        interest.put(fd, ev);    // after the kernel took the fd: a bad one fails before any table grows
        size++;
    }

    @Override
    public void modify(int fd, int ev) {
        int old = interest.get(fd);
        interest.put(fd, ev);
        if (old == 0 && ev != 0) {
            ctl(Epoll.EPOLL_CTL_ADD, fd, ev);
        } else if (old != 0 && ev == 0) {
            // EPOLLERR/EPOLLHUP are reported even for events == 0: leave the set instead.
            del(fd);
        } else if (old != ev) {
            ctl(Epoll.EPOLL_CTL_MOD, fd, ev);
        }
    }

    @Override
    public void unregister(int fd) {
        int old = interest.remove(fd);
        if (old > 0) {
            del(fd);
        }
        size--;
    }

    private void del(int fd) {
        int r = Epoll.ctl(epfd, Epoll.EPOLL_CTL_DEL, fd, ctlEvent);
        // A closed fd has already left the set (EBADF), a reused number was never in it (ENOENT).
        if (r < 0 && r != -Errno.EBADF && r != -Errno.ENOENT) {
            throw Errors.exception("epoll_ctl(DEL, fd=" + fd + ")", -r);
        }
    }

    private void ctl(int op, int fd, int ev) {
        ctlEvent.set(ValueLayout.JAVA_INT, Epoll.EVENTS_OFFSET, ev);
        ctlEvent.set(ValueLayout.JAVA_LONG_UNALIGNED, Epoll.DATA_OFFSET, fd);
        int r = Epoll.ctl(epfd, op, fd, ctlEvent);
        if (r < 0) {
            throw Errors.exception("epoll_ctl(" + Epoll.opName(op) + ", fd=" + fd + ")", -r);
        }
    }

    @Override
    public int waitOnce(int timeoutMs) {
        return Epoll.wait(epfd, events.segment(), events.capacity(), timeoutMs);
    }

    @Override
    public int poll(long timeoutMs, ReadySet out) {
        out.clear();
        int n = Waits.retrying(this, timeoutMs);
        if (n < 0) {
            throw Errors.exception("epoll_wait(epfd=" + epfd + ")", -n);
        }
        MemorySegment buf = events.segment();
        for (int i = 0; i < n; i++) {
            long base = i * Epoll.EVENT_SIZE;
            int ev = buf.get(ValueLayout.JAVA_INT_UNALIGNED, base + Epoll.EVENTS_OFFSET);
            int fd = (int) buf.get(ValueLayout.JAVA_LONG_UNALIGNED, base + Epoll.DATA_OFFSET);
            out.add(fd, ev);
        }
        int max = events.capacity();
        if (n == max && max < MAX_EVENTS) {
            events.ensureCapacity(max * 2);
        }
        return n;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void close() {
        Unistd.close(epfd);
        events.close();
        arena.close();
    }
}
