package dev.uloop.internal.uring;

import java.nio.ByteBuffer;

/**
 * Completion mode's receive buffers: one provided buffer ring per loop ({@value #COUNT}
 * buffers of {@value #SIZE} bytes, {@code IORING_REGISTER_PBUF_RING}), from which a
 * multishot RECV takes a buffer per chunk. The connection reads the chunk through
 * {@link #view} and hands the buffer back with {@link #recycle}; {@link #held()} counts
 * those not handed back yet (paused connections hold theirs until they resume).
 *
 * <p>The ring is registered lazily, with the first request, on the ring the session has
 * then, and again after the session moved to a new ring.
 */
final class ReceiveBuffers {
    /** Receive buffers per loop. */
    static final int COUNT = 512;
    /** Bytes per receive buffer. */
    static final int SIZE = 16 * 1024;
    /** The buffer group RECVs name. */
    static final int GROUP = 0;

    private IoUringBufferRing ring;
    private ByteBuffer[] views;
    private int held;

    /** Registers the buffers with {@code uring} unless they are registered already. */
    void registerWith(IoUringRing uring) {
        if (ring != null) {
            return;
        }
        ring = new IoUringBufferRing(uring, GROUP, COUNT, SIZE, true);
        if (views == null) {
            views = new ByteBuffer[COUNT];
        }
        for (int bid = 0; bid < COUNT; bid++) {
            views[bid] = ring.buffer(bid).asByteBuffer();
        }
    }

    /** A RECV completion carried buffer {@code bid}: it is the owner's until {@link #recycle}d. */
    void handedOut() {
        held++;
    }

    /** The received bytes: a view of buffer {@code bid}, positioned at 0, limited to {@code len}. */
    ByteBuffer view(int bid, int len) {
        return views[bid].clear().limit(len);
    }

    /** Hands buffer {@code bid} back to the kernel. */
    void recycle(int bid) {
        held--;
        ring.recycle(bid);
    }

    /** Hands back a buffer that never reached an owner (its request's owner was gone). */
    void drop(int bid) {
        if (ring != null) {
            ring.recycle(bid);
        }
    }

    /** Buffers handed to owners and not recycled yet. */
    int held() {
        return held;
    }

    /**
     * Unregisters the buffers (before the session moves, or after it closed). Their memory
     * is freed by the garbage collector, not here: the kernel's exit work for a closed ring
     * may still complete a receive into a buffer.
     */
    void unregister() {
        if (ring != null) {
            ring.close();
            ring = null;
        }
    }

    /** Lets go of the views too (the loop closed). */
    void close() {
        unregister();
        views = null;
    }
}
