package dev.uloop.internal.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Completion mode's native send buffers, pooled per loop: a SEND reads its bytes from
 * memory that must stay put until it completes, so a connection copies what it writes into
 * one of these and gives it back when the SEND is over. The pool grows to the load and
 * allocates nothing after that.
 *
 * <p>The memory is freed by the garbage collector, not when the loop closes: a loop closed
 * from another thread cannot wait for its requests to end.
 */
final class SendBuffers {
    /** Bytes per send buffer. */
    static final int SIZE = 16 * 1024;

    private final Arena arena = Arena.ofAuto();
    private final ArrayDeque<Buffer> free = new ArrayDeque<>();

    /** One buffer: fill {@link #bytes} (absolute puts), send from {@link #address}. */
    static final class Buffer {
        /** The buffer, {@value SendBuffers#SIZE} bytes. */
        final ByteBuffer bytes;
        /** Its native address. */
        final long address;

        Buffer(MemorySegment segment) {
            bytes = segment.asByteBuffer();
            address = segment.address();
        }
    }

    /** A buffer from the pool (a new one when the pool is empty). */
    Buffer take() {
        Buffer b = free.pollFirst();
        return b != null ? b : new Buffer(arena.allocate(SIZE, 64));
    }

    /** Returns a buffer whose SEND completed. */
    void give(Buffer b) {
        free.addFirst(b);
    }

    /** Forgets the pool (the loop is closing). */
    void clear() {
        free.clear();
    }
}
