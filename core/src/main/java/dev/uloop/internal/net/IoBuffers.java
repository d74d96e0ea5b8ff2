package dev.uloop.internal.net;

import dev.uloop.internal.posix.MsgHdr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * Native scratch memory for socket I/O, one set per thread: since every socket of a loop is
 * served on that loop's thread, this is one read buffer per loop, reused for every read.
 * Freed by the GC when the thread ends.
 */
public final class IoBuffers {
    /** Size of the read buffer and of the write scratch. */
    public static final int SIZE = 64 * 1024;

    private static final ThreadLocal<IoBuffers> CURRENT = ThreadLocal.withInitial(IoBuffers::new);

    /** Received data lands here. */
    public final MemorySegment read;
    /** A reusable ByteBuffer view of {@link #read} handed to protocols. */
    public final ByteBuffer readView;
    /** Heap data is copied here before a send. */
    public final MemorySegment write;
    /** A ByteBuffer view of {@link #write}, for absolute puts. */
    public final ByteBuffer writeView;
    /** A {@code sockaddr_storage} for accept/recvfrom/getsockname. */
    public final MemorySegment addr;
    /** A {@code socklen_t}. */
    public final MemorySegment addrLen;
    /** An int for socket options. */
    public final MemorySegment optInt;
    /** A {@code struct msghdr} receiving into {@link #read} with the source in {@link #addr}. */
    public final MsgHdr msg;

    private IoBuffers() {
        Arena arena = Arena.ofAuto();
        read = arena.allocate(SIZE, 64);
        readView = read.asByteBuffer();
        write = arena.allocate(SIZE, 64);
        writeView = write.asByteBuffer();
        addr = arena.allocate(dev.uloop.internal.posix.SockAddr.STORAGE_SIZE, 8);
        addrLen = arena.allocate(ValueLayout.JAVA_INT);
        optInt = arena.allocate(16, 8);
        msg = new MsgHdr(arena, read, SIZE, addr);
    }

    /** The calling thread's buffers. */
    public static IoBuffers get() {
        return CURRENT.get();
    }
}
