package dev.uloop.net;

import java.nio.ByteBuffer;

/**
 * What a stream connection does, in the spirit of asyncio's and Twisted's protocols.
 * Service code implements this and never touches a file descriptor. Every callback runs on
 * the loop thread.
 *
 * <p>Order: {@link #connectionMade} once, then any number of {@link #dataReceived}, then at
 * most one {@link #eofReceived}, then {@link #connectionLost} once.
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="protocol"}
 */
public interface Protocol {
    /**
     * The connection is ready.
     *
     * @param transport how to write to and close this connection
     */
    default void connectionMade(Transport transport) {
    }

    /**
     * Bytes arrived. The buffer is a view of the loop's one read buffer, valid only during
     * this call: copy what you keep. Passing it to {@link Transport#write(ByteBuffer)} is
     * fine (that copies only what the socket does not take at once).
     *
     * @param data the bytes, from its position to its limit
     */
    void dataReceived(ByteBuffer data);

    /**
     * The peer closed its sending side (EOF).
     *
     * @return true to keep the connection open for writing (half-close: close it later with
     *         {@link Transport#close()}); false (the default) to close it, after queued data
     *         is flushed
     */
    default boolean eofReceived() {
        return false;
    }

    /**
     * The connection is closed.
     *
     * @param cause null after a clean close or {@link Transport#abort()}; the error otherwise
     *              (for example a {@link dev.uloop.NativeException} with ECONNRESET)
     */
    default void connectionLost(Throwable cause) {
    }

    /**
     * The write queue went above the high-water mark: stop producing, for example by
     * {@link Transport#pauseReading() pausing reading} from a peer that sends faster than
     * it reads.
     */
    default void pauseWriting() {
    }

    /** The write queue drained to the low-water mark: go on producing. */
    default void resumeWriting() {
    }
}
