package dev.uloop.net;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The bytes a server's connections received and wrote. The server's loop thread alone
 * adds to it, once per read and per write, with an opaque store (a plain store on x86: no
 * fence, no allocation); any thread may read it.
 */
final class ByteCounter {
    private static final VarHandle RECEIVED;
    private static final VarHandle WRITTEN;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            RECEIVED = l.findVarHandle(ByteCounter.class, "received", long.class);
            WRITTEN = l.findVarHandle(ByteCounter.class, "written", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")   // through RECEIVED
    private long received;
    @SuppressWarnings("unused")   // through WRITTEN
    private long written;

    /** On the loop thread: {@code n} bytes were handed to a protocol. */
    void received(long n) {
        RECEIVED.setOpaque(this, (long) RECEIVED.get(this) + n);
    }

    /** On the loop thread: a protocol wrote {@code n} bytes (queued or sent). */
    void written(long n) {
        WRITTEN.setOpaque(this, (long) WRITTEN.get(this) + n);
    }

    /** From any thread. */
    long receivedCount() {
        return (long) RECEIVED.getOpaque(this);
    }

    /** From any thread. */
    long writtenCount() {
        return (long) WRITTEN.getOpaque(this);
    }
}
