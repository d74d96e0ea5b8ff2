package dev.uloop;

import dev.uloop.internal.util.Grow;
import java.util.Arrays;

/**
 * A loop's registrations: handler and interest per descriptor, in arrays indexed by fd
 * (Redis's {@code events[]}, libuv's watchers), so that dispatch is an array load. Each
 * entry remembers the batch (the kernel wait) it was added in, so that an fd removed and
 * added again in the middle of a batch does not get that batch's events. Loop thread only.
 */
final class FdHandlers {
    private Handler[] handlers = new Handler[64];
    private int[] interest = new int[64];
    private long[] addedInBatch = new long[64];  // batch number in which the fd was (re)added
    private volatile int count;         // volatile: read by stats() from any thread; one writer, the loop

    /** Whether {@code fd} is registered. */
    boolean contains(int fd) {
        return fd >= 0 && fd < handlers.length && handlers[fd] != null;
    }

    /** Its interest, or 0 when it is not registered. */
    int interest(int fd) {
        return contains(fd) ? interest[fd] : 0;
    }

    /** Registers {@code fd}, whose events count from batch {@code batch} on. */
    void put(int fd, int events, Handler handler, long batch) {
        if (fd >= handlers.length) {
            int n = Grow.length(handlers.length, fd + 1);
            handlers = Arrays.copyOf(handlers, n);
            interest = Arrays.copyOf(interest, n);
            addedInBatch = Arrays.copyOf(addedInBatch, n);
        }
        handlers[fd] = handler;
        interest[fd] = events;
        addedInBatch[fd] = batch;
        count++;
    }

    /** Changes the interest of a registered {@code fd}. */
    void setInterest(int fd, int events) {
        interest[fd] = events;
    }

    /** Forgets a registered {@code fd}. */
    void remove(int fd) {
        handlers[fd] = null;
        interest[fd] = 0;
        count--;
    }

    /**
     * The handler to call for an event of {@code fd} reported by wait {@code batch}: null
     * when it is not registered, or was registered again after that wait.
     */
    Handler handlerFor(int fd, long batch) {
        Handler h = fd < handlers.length ? handlers[fd] : null;
        return h == null || addedInBatch[fd] > batch ? null : h;
    }

    /** Registered descriptors. */
    int size() {
        return count;
    }
}
