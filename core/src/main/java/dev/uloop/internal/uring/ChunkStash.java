package dev.uloop.internal.uring;

import java.util.Arrays;

/**
 * The receive buffers of a connection on io_uring-completion that arrived while its reading
 * was paused, in order: (buffer id, length) pairs, each taken out before it is delivered,
 * so that a connection closed from inside a callback hands back only what was not.
 */
final class ChunkStash {
    private int[] pairs = new int[8];
    private int head;                // pairs before it were taken
    private int tail;                // pairs in the array, taken ones included

    boolean isEmpty() {
        return head == tail;
    }

    void add(int bid, int len) {
        if (tail * 2 == pairs.length) {
            if (head > 0) {
                System.arraycopy(pairs, head * 2, pairs, 0, (tail - head) * 2);
                tail -= head;
                head = 0;
            } else {
                pairs = Arrays.copyOf(pairs, pairs.length * 2);
            }
        }
        pairs[tail * 2] = bid;
        pairs[tail * 2 + 1] = len;
        tail++;
    }

    /** Takes the oldest chunk out: {@code bid << 32 | len}. The caller checked {@link #isEmpty()}. */
    long take() {
        long chunk = (long) pairs[head * 2] << 32 | pairs[head * 2 + 1];
        if (++head == tail) {
            head = 0;
            tail = 0;
        }
        return chunk;
    }

    /** Hands every buffer not taken back to the ring. */
    void recycleAll(ReceiveBuffers buffers) {
        for (int i = head; i < tail; i++) {
            buffers.recycle(pairs[i * 2]);
        }
        head = 0;
        tail = 0;
    }
}
