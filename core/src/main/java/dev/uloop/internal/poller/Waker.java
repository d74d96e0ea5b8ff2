package dev.uloop.internal.poller;

import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.EventFd;
import dev.uloop.internal.posix.Unistd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Wakes a loop blocked in its poller from another thread: an eventfd where the platform
 * has one, else a non-blocking pipe. The loop polls {@link #fd()} for IN and calls
 * {@link #drain()} when it fires. {@link #wakeup()} may be called from any thread; it
 * touches no memory of the loop (eventfd_write takes its value directly, the pipe writes
 * from a shared constant byte).
 */
public final class Waker implements AutoCloseable {
    private static final MemorySegment ONE_BYTE = Arena.global().allocate(1);

    private final Arena arena = Arena.ofShared();
    private final MemorySegment drainBuf = arena.allocate(64, 8);
    private final int readFd;     // polled by the loop
    private final int writeFd;    // same as readFd for eventfd
    private final boolean eventFd;

    private Waker(int readFd, int writeFd, boolean eventFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
        this.eventFd = eventFd;
    }

    /** An eventfd waker where available, else a pipe. */
    public static Waker open() {
        return EventFd.available() ? openEventFd() : openPipe();
    }

    /** An eventfd waker (Linux). */
    public static Waker openEventFd() {
        int fd = EventFd.eventfd(0, EventFd.EFD_NONBLOCK | EventFd.EFD_CLOEXEC);
        if (fd < 0) {
            throw Errors.exception("eventfd(0, EFD_NONBLOCK|EFD_CLOEXEC)", -fd);
        }
        return new Waker(fd, fd, true);
    }

    /** A self-pipe waker, for platforms without eventfd. */
    public static Waker openPipe() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(ValueLayout.JAVA_INT, 2);
            int r = Unistd.pipe2(fds, Unistd.O_NONBLOCK | Unistd.O_CLOEXEC);
            if (r < 0) {
                throw Errors.exception("pipe2(O_NONBLOCK|O_CLOEXEC)", -r);
            }
            return new Waker(fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1), false);
        }
    }

    /** The descriptor the loop polls for IN. */
    public int fd() {
        return readFd;
    }

    /** Makes {@link #fd()} readable. Safe from any thread. */
    public void wakeup() {
        if (eventFd) {
            int r = EventFd.write(writeFd, 1L);
            if (r < 0 && r != -Errno.EAGAIN) {
                throw Errors.exception("eventfd_write(fd=" + writeFd + ")", -r);
            }
        } else {
            long r = Unistd.write(writeFd, ONE_BYTE, 1);
            // A full pipe already wakes the loop.
            if (r < 0 && r != -Errno.EAGAIN) {
                throw Errors.exception("write(fd=" + writeFd + ")", (int) -r);
            }
        }
    }

    /** Consumes pending wakeups. Loop thread only. */
    public void drain() {
        if (eventFd) {
            Unistd.read(readFd, drainBuf, 8);     // resets the counter
        } else {
            while (Unistd.read(readFd, drainBuf, drainBuf.byteSize()) == drainBuf.byteSize()) {
                // keep reading until the pipe is empty
            }
        }
    }

    @Override
    public void close() {
        Unistd.close(readFd);
        if (writeFd != readFd) {
            Unistd.close(writeFd);
        }
        arena.close();
    }
}
