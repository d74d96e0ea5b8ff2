package dev.uloop.internal.uring;

import dev.uloop.NativeException;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.IoUring;
import dev.uloop.internal.posix.Mman;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A provided buffer ring (Linux 5.19+, {@code IORING_REGISTER_PBUF_RING}): {@code count}
 * buffers of {@code size} bytes each, registered with an {@link IoUringRing} as buffer group
 * {@code groupId}. A RECV with IOSQE_BUFFER_SELECT takes the next buffer from the ring's head
 * (moved by the kernel) and names it by its id in the completion; the application hands it
 * back with {@link #recycle(int)}, which writes an entry at the tail and publishes the tail.
 *
 * <p>The ring is {@code count} 16-byte {@code struct io_uring_buf} entries on a page
 * boundary; its tail is the 16-bit field at byte 14, written with release semantics after
 * the entry (the kernel reads it with acquire). The buffers are one page-aligned block in the
 * same arena. Used by one thread; {@link #close()} unregisters the group (the ring's own
 * close does that too) and frees the memory.
 */
public final class IoUringBufferRing implements AutoCloseable {
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();
    private static final long BUF_SIZE = IoUring.BUF.byteSize();
    private static final long TAIL = 14;

    private final IoUringRing ring;
    private final int groupId;
    private final int count;
    private final int mask;
    private final int size;
    private final Arena arena;
    private final boolean freedByGc;
    private final MemorySegment entries;
    private final MemorySegment buffers;
    private int tail;
    private boolean closed;

    /**
     * Allocates and registers the ring, with every buffer in it.
     *
     * @param count   number of buffers, a power of two up to 32768
     * @param size    bytes per buffer
     * @throws NativeException when the kernel refuses (EINVAL before Linux 5.19)
     */
    public IoUringBufferRing(IoUringRing ring, int groupId, int count, int size) {
        this(ring, groupId, count, size, false);
    }

    /**
     * Allocates and registers the ring, with every buffer in it.
     *
     * @param freedByGc leave the memory to the garbage collector ({@link Arena#ofAuto()})
     *                  instead of freeing it in {@link #close()}: for a ring that may be
     *                  closed while the kernel can still write into a buffer (its exit work
     *                  runs after close(2) returns)
     */
    public IoUringBufferRing(IoUringRing ring, int groupId, int count, int size, boolean freedByGc) {
        this.freedByGc = freedByGc;
        this.arena = freedByGc ? Arena.ofAuto() : Arena.ofShared();
        if (Integer.bitCount(count) != 1 || count > 32768) {
            throw new IllegalArgumentException("count must be a power of two up to 32768: " + count);
        }
        this.ring = ring;
        this.groupId = groupId;
        this.count = count;
        this.mask = count - 1;
        this.size = size;
        entries = arena.allocate(count * BUF_SIZE, 4096);
        buffers = Mman.anonymous((long) count * size, arena);   // resident only where the kernel wrote
        MemorySegment reg = arena.allocate(IoUring.BUF_REG);
        reg.set(ValueLayout.JAVA_LONG, 0, entries.address());
        reg.set(ValueLayout.JAVA_INT, 8, count);
        reg.set(ValueLayout.JAVA_SHORT, 12, (short) groupId);
        int r = IoUring.register(ring.fd(), IoUring.IORING_REGISTER_PBUF_RING, reg, 1);
        if (r < 0) {
            if (!freedByGc) {
                arena.close();
            }
            throw Errors.exception("io_uring_register(PBUF_RING, " + count + " buffers)", -r);
        }
        for (int bid = 0; bid < count; bid++) {
            put(bid);
        }
        publish();
    }

    /** The buffer group id to name in a RECV. */
    public int groupId() {
        return groupId;
    }

    /** Bytes per buffer. */
    public int bufferSize() {
        return size;
    }

    /** Native address of buffer {@code bid}. */
    public long address(int bid) {
        return buffers.address() + (long) bid * size;
    }

    /** Buffer {@code bid} as a segment of {@link #bufferSize()} bytes. */
    public MemorySegment buffer(int bid) {
        return buffers.asSlice((long) bid * size, size);
    }

    private void put(int bid) {
        long e = (tail & mask) * BUF_SIZE;
        entries.set(ValueLayout.JAVA_LONG, e, address(bid));
        entries.set(ValueLayout.JAVA_INT, e + 8, size);
        entries.set(ValueLayout.JAVA_SHORT, e + 12, (short) bid);
        tail++;
    }

    private void publish() {
        SHORT.setRelease(entries, TAIL, (short) tail);
    }

    /** Hands buffer {@code bid} back to the kernel. */
    public void recycle(int bid) {
        put(bid);
        publish();
    }

    /** Unregisters the group and frees the buffers. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        MemorySegment reg = arena.allocate(IoUring.BUF_REG);
        reg.set(ValueLayout.JAVA_SHORT, 12, (short) groupId);
        IoUring.register(ring.fd(), IoUring.IORING_UNREGISTER_PBUF_RING, reg, 1);   // EBADF after ring.close(): fine
        if (!freedByGc) {
            arena.close();
        }
    }
}
