package dev.uloop.internal.poller;

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
            fds = java.util.Arrays.copyOf(fds, size * 2);
            events = java.util.Arrays.copyOf(events, size * 2);
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
