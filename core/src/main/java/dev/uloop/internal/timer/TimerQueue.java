package dev.uloop.internal.timer;

import java.util.Arrays;

/**
 * A binary min-heap of timers ordered by (deadline, sequence), so timers due at the same
 * time run first-in first-out (libuv's {@code timer_less_than}, Tornado's
 * {@code (deadline, counter)}). Pure Java; single-threaded.
 */
public final class TimerQueue {
    private ScheduledTimer[] heap = new ScheduledTimer[16];
    private volatile int size;          // volatile: read by stats() from any thread; one writer, the loop
    private long nextSeq;

    /** Number of queued timers. */
    public int size() {
        return size;
    }

    /** The sequence number the next {@link #add} will assign. */
    public long nextSequence() {
        return nextSeq;
    }

    /** Queues a timer (again, for a periodic one) with a fresh sequence number. */
    public void add(ScheduledTimer t) {
        if (t.heapIndex >= 0) {
            throw new IllegalStateException("timer already queued");
        }
        t.seq = nextSeq++;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = t;
        t.heapIndex = size;
        size++;
        siftUp(t.heapIndex);
    }

    /** Removes a queued timer; does nothing if it is not queued. */
    public void remove(ScheduledTimer t) {
        int i = t.heapIndex;
        if (i < 0 || i >= size || heap[i] != t) {
            return;
        }
        t.heapIndex = -1;
        size--;
        if (i == size) {
            heap[size] = null;
            return;
        }
        ScheduledTimer last = heap[size];
        heap[size] = null;
        heap[i] = last;
        last.heapIndex = i;
        siftDown(i);
        siftUp(last.heapIndex);
    }

    /** The earliest timer, or null. */
    public ScheduledTimer peek() {
        return size == 0 ? null : heap[0];
    }

    /** Removes and returns the earliest timer, or null. */
    public ScheduledTimer poll() {
        ScheduledTimer t = peek();
        if (t != null) {
            remove(t);
        }
        return t;
    }

    /** The sequence of a queued timer (for checks that a timer was queued before a pass began). */
    public static long sequence(ScheduledTimer t) {
        return t.seq;
    }

    private static boolean less(ScheduledTimer a, ScheduledTimer b) {
        long d = a.deadline - b.deadline;   // overflow-safe comparison on the nanoTime scale
        return d < 0 || (d == 0 && a.seq < b.seq);
    }

    private void siftUp(int i) {
        ScheduledTimer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            ScheduledTimer p = heap[parent];
            if (!less(t, p)) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void siftDown(int i) {
        ScheduledTimer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && less(heap[right], heap[child])) {
                child = right;
            }
            if (!less(heap[child], t)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].heapIndex = i;
            i = child;
        }
        heap[i] = t;
        t.heapIndex = i;
    }
}
