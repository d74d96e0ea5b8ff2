package dev.uloop.internal.uring;

import dev.uloop.internal.posix.Stdlib;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Completion mode's native send buffers, pooled per loop: a SEND reads its bytes from
 * memory that must stay put until it completes, so a connection copies what it writes into
 * these (a chain of them when the peer reads slower than it writes) and gives each back
 * when its SEND is over. The pool keeps up to {@value #KEPT} idle buffers (4 MiB) and
 * allocates nothing while the load fits; what a burst took beyond that is freed as it comes
 * back ({@code malloc}/{@code free}), so a storm of connections does not leave its peak
 * behind, nor garbage for the collector.
 *
 * <p>Once the loop closed, buffers that come back (those of requests the closed ring may
 * still be ending) are left to the garbage collector instead: a loop closed from another
 * thread cannot wait for its requests to end.
 */
final class SendBuffers {
    /** Bytes per send buffer. */
    static final int SIZE = 16 * 1024;
    /** Idle buffers kept for reuse. */
    static final int KEPT = 256;

    private final ArrayDeque<Buffer> free = new ArrayDeque<>();
    private boolean closed;

    /** One buffer: fill {@link #bytes} (absolute puts), send from {@link #address}. */
    static final class Buffer {
        final MemorySegment segment;
        /** The buffer, {@value SendBuffers#SIZE} bytes. */
        final ByteBuffer bytes;
        /** Its native address. */
        final long address;
        /** Bytes written into it. */
        int length;
        /** The buffer that goes out after this one, or null: a connection's send chain. */
        Buffer next;

        Buffer(MemorySegment segment) {
            this.segment = segment;
            bytes = segment.asByteBuffer();
            address = segment.address();
        }
    }

    /** An empty buffer from the pool (a new one when the pool is empty). */
    Buffer take() {
        Buffer b = free.pollFirst();
        if (b == null) {
            b = new Buffer(Stdlib.malloc(SIZE));
        }
        b.length = 0;
        b.next = null;
        return b;
    }

    /** Returns a buffer whose SEND completed (or that was never sent). */
    void give(Buffer b) {
        b.next = null;
        if (closed) {
            b.segment.reinterpret(Arena.ofAuto(), Stdlib::free);   // freed once unreachable
        } else if (free.size() < KEPT) {
            free.addFirst(b);
        } else {
            Stdlib.free(b.segment);
        }
    }

    /** Returns a chain of buffers, {@code first} and those linked after it. */
    void giveAll(Buffer first) {
        for (Buffer b = first; b != null; ) {
            Buffer n = b.next;
            give(b);
            b = n;
        }
    }

    /** Frees the idle buffers (the loop is closed); buffers that come back later go to the garbage collector. */
    void close() {
        closed = true;
        for (Buffer b; (b = free.pollFirst()) != null; ) {
            Stdlib.free(b.segment);
        }
    }
}
