package dev.uloop.internal.poller;

import dev.uloop.daemon.LogThrottle;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.Poll;
import dev.uloop.internal.util.Grow;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * poll(2) backend: one {@code struct pollfd} per registered fd, copied to the kernel and
 * scanned on every wait, so a wait costs O(registered). Removal moves the last slot into
 * the gap (as the JDK's PollSelectorImpl does). A slot whose fd is negative is ignored
 * by the kernel: that is how interest 0 and closed descriptors are parked.
 */
public final class PollPoller implements Poller, Waits.Once {
    private static final System.Logger LOG = System.getLogger("uloop.poller.Poll");
    private static final LogThrottle THROTTLE = new LogThrottle(LOG);

    private final NativeArray pollfds = new NativeArray(Poll.POLLFD_SIZE, 64); // struct pollfd[]
    private final FdTable slotOf = new FdTable();   // fd -> slot index
    private int[] fdOf = new int[64];               // slot index -> fd
    private int count;                              // slots in use

    @Override
    public String name() {
        return "poll";
    }

    @Override
    public void register(int fd, int ev) {
        Descriptors.requireOpen(fd);
        pollfds.ensureCapacity(count + 1);
        if (count == fdOf.length) {
            fdOf = java.util.Arrays.copyOf(fdOf, Grow.length(count, count + 1));
        }
        int slot = count++;
        fdOf[slot] = fd;
        slotOf.put(fd, slot);
        write(slot, fd, ev);
    }

    @Override
    public void modify(int fd, int ev) {
        write(slotOf.get(fd), fd, ev);
    }

    @Override
    public void unregister(int fd) {
        int slot = slotOf.remove(fd);
        int last = --count;
        if (slot != last) {
            MemorySegment s = pollfds.segment();
            MemorySegment.copy(s, last * Poll.POLLFD_SIZE, s, slot * Poll.POLLFD_SIZE, Poll.POLLFD_SIZE);
            int moved = fdOf[last];
            fdOf[slot] = moved;
            slotOf.put(moved, slot);
        }
    }

    private void write(int slot, int fd, int ev) {
        MemorySegment s = pollfds.segment();
        long base = slot * Poll.POLLFD_SIZE;
        s.set(ValueLayout.JAVA_INT, base + Poll.FD_OFFSET, ev == 0 ? -1 : fd);
        s.set(ValueLayout.JAVA_SHORT, base + Poll.EVENTS_OFFSET, (short) ev);
        s.set(ValueLayout.JAVA_SHORT, base + Poll.REVENTS_OFFSET, (short) 0);
    }

    @Override
    public int waitOnce(int timeoutMs) {
        return Poll.poll(pollfds.segment(), count, timeoutMs);
    }

    @Override
    public int poll(long timeoutMs, ReadySet out) {
        out.clear();
        int n = Waits.retrying(this, timeoutMs);
        if (n < 0) {
            throw Errors.exception("poll(nfds=" + count + ")", -n);
        }
        MemorySegment s = pollfds.segment();
        int found = 0;
        for (int slot = 0; slot < count && found < n; slot++) {
            long base = slot * Poll.POLLFD_SIZE;
            int rev = Short.toUnsignedInt(s.get(ValueLayout.JAVA_SHORT, base + Poll.REVENTS_OFFSET));
            if (rev == 0) {
                continue;
            }
            found++;
            int fd = fdOf[slot];
            if ((rev & Poll.POLLNVAL) != 0) {
                // Closed while registered: park it, as epoll forgets a closed fd by itself.
                s.set(ValueLayout.JAVA_INT, base + Poll.FD_OFFSET, -1);
                Descriptors.closedWhileRegistered(THROTTLE, fd);
                continue;
            }
            out.add(fd, rev);
        }
        return out.size();
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public void close() {
        pollfds.close();
    }
}
