package dev.uloop.internal.net;

import dev.uloop.NativeException;
import java.nio.ByteBuffer;

/**
 * What a {@link StreamEngine} reports to its connection (the calls up), on the loop's
 * thread. The connection is the state machine: it decides whether input is wanted, what a
 * failure means, and when the socket closes.
 */
public interface StreamOwner {
    /** The bytes the engine has not sent yet beyond what it holds itself. */
    WriteQueue queue();

    /** Whether input can still be taken: the EOF not read yet, not closing (reading may be paused). */
    boolean inputOpen();

    /** Whether data should be delivered now: {@link #inputOpen()} and reading not paused. */
    boolean wantsInput();

    /** Received bytes, valid during the call only. */
    void received(ByteBuffer data);

    /** The peer's EOF. */
    void eof();

    /** Queued bytes went out: the queue is smaller (maybe empty). */
    void drained();

    /** Receiving or sending failed: the connection is lost. */
    void lost(NativeException cause);

    /**
     * A send inside {@link StreamEngine#write} failed: nothing more can be sent; the loss is
     * reported after the current callback, not inside the protocol's write().
     */
    void writeFailed(NativeException cause);

    /** While lingering: the peer's EOF (or an error) arrived; the close may complete now. */
    void lingerEnded();
}
