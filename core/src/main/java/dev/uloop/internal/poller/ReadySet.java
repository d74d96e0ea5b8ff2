package dev.uloop.internal.poller;

import dev.uloop.internal.util.Grow;
import java.util.Arrays;

/** A reusable list of (fd, events) pairs filled by a {@link Poller}. Grows, never shrinks. */
public final class ReadySet {
    private int[] fds = new int[64];
    private int[] events = new int[64];
    private int size;

    /** Empties the list. */
    public void clear() {
        size = 0;
    }

    /** Appends one ready descriptor. */
    public void add(int fd, int ev) {
        if (size == fds.length) {
            int n = Grow.length(size, size + 1);
            fds = Arrays.copyOf(fds, n);
            events = Arrays.copyOf(events, n);
        }
        fds[size] = fd;
        events[size] = ev;
        size++;
    }

    /** Number of pairs. */
    public int size() {
        return size;
    }

    /** The fd of pair {@code i}. */
    public int fd(int i) {
        return fds[i];
    }

    /** The raw events of pair {@code i}. */
    public int events(int i) {
        return events[i];
    }
}
