package dev.uloop.net;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A connection's {@link Transport#whenSent()} futures, oldest first, each with the count of
 * bytes written before it: completed once that many have left the write queue, failed
 * when the connection closes first. Empty (and without a deque) in the common case.
 */
final class SentFutures {
    /** A future and the byte count it waits for. */
    private record Mark(long bytes, CompletableFuture<Void> future) {
    }

    private ArrayDeque<Mark> waiting;     // null when none

    /** Adds a future that completes once {@code bytes} written bytes have been sent. */
    void add(long bytes, CompletableFuture<Void> future) {
        if (waiting == null) {
            waiting = new ArrayDeque<>(2);
        }
        waiting.addLast(new Mark(bytes, future));
    }

    /** Completes the futures whose bytes are all among the first {@code sent}. */
    void completeUpTo(long sent) {
        while (waiting != null && !waiting.isEmpty() && waiting.peekFirst().bytes() <= sent) {
            waiting.pollFirst().future().complete(null);
        }
    }

    /** Fails every future left (the connection closed) with {@code cause}, or a ClosedChannelException for null. */
    void failAll(Throwable cause) {
        if (waiting != null) {
            for (Mark m : waiting) {
                m.future().completeExceptionally(cause != null ? cause : new java.nio.channels.ClosedChannelException());
            }
            waiting = null;
        }
    }
}
