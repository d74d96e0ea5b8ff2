package dev.uloop.internal.poller;

import dev.uloop.internal.util.Grow;
import java.util.Arrays;

/**
 * An int per file descriptor, indexed by fd: {@code -1} means absent. Descriptors are
 * small dense integers, so an array beats a map (Redis {@code events[]}, libuv watchers).
 */
public final class FdTable {
    /** The value of an fd that is not in the table. */
    public static final int ABSENT = -1;
    private int[] values = filled(64);

    private static int[] filled(int n) {
        int[] a = new int[n];
        Arrays.fill(a, ABSENT);
        return a;
    }

    public int get(int fd) {
        return fd < values.length ? values[fd] : ABSENT;
    }

    public void put(int fd, int value) {
        if (fd >= values.length) {
            int n = Grow.length(values.length, fd + 1);
            int[] bigger = filled(n);
            System.arraycopy(values, 0, bigger, 0, values.length);
            values = bigger;
        }
        values[fd] = value;
    }

    /** Removes {@code fd} and returns its old value (or ABSENT). */
    public int remove(int fd) {
        int old = get(fd);
        if (old != ABSENT) {
            values[fd] = ABSENT;
        }
        return old;
    }

    public boolean contains(int fd) {
        return get(fd) != ABSENT;
    }
}
