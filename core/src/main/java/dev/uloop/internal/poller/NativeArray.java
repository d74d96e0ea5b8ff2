package dev.uloop.internal.poller;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A growable native array of fixed-size elements, for the kernel-facing arrays of the
 * pollers. Each generation has its own shared arena (the loop may be built on one thread
 * and run on another), freed when the array grows or closes.
 */
final class NativeArray implements AutoCloseable {
    private final long elementSize;
    private Arena arena;
    private MemorySegment segment;
    private int capacity;

    NativeArray(long elementSize, int capacity) {
        this.elementSize = elementSize;
        this.arena = Arena.ofShared();
        this.segment = arena.allocate(elementSize * capacity, 8);
        this.capacity = capacity;
    }

    MemorySegment segment() {
        return segment;
    }

    int capacity() {
        return capacity;
    }

    /** Grows to at least {@code min} elements, keeping the content; new bytes are zero. */
    void ensureCapacity(int min) {
        if (min <= capacity) {
            return;
        }
        int n = Math.max(min, capacity * 2);
        Arena next = Arena.ofShared();
        MemorySegment bigger = next.allocate(elementSize * n, 8);
        MemorySegment.copy(segment, 0, bigger, 0, segment.byteSize());
        arena.close();
        arena = next;
        segment = bigger;
        capacity = n;
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
            arena = null;
            segment = null;
        }
    }
}
