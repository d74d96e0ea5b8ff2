package dev.uloop.internal.net;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One connected stream socket's I/O, as its connection asks for it (the calls down). The
 * engine reports back through the connection's {@link StreamOwner} (the calls up). Two
 * engines implement it: readiness ({@link ReadinessStream}: epoll, io_uring polls, poll,
 * select) and completion (io_uring-completion's, in {@code internal.uring}). A connection
 * never asks which one it has.
 *
 * <p>Every call is made on the loop's thread.
 */
public interface StreamEngine {
    /** Starts receiving: from now on data, EOF and failures go to the owner. */
    void start();

    /**
     * Sends what it can of {@code data} (position to limit; the position is not changed) and
     * hands the rest to the owner's {@link WriteQueue}, to go out as the socket takes it.
     * A send that fails is reported with {@link StreamOwner#writeFailed}, after this call.
     */
    void write(ByteBuffer data);

    /** {@link #write(ByteBuffer)} for {@code len} bytes of an array, from {@code off}. */
    void write(byte[] data, int off, int len);

    /**
     * The owner's wish to receive, {@link StreamOwner#wantsInput()}, may have changed (the
     * EOF was read, closing began, bytes went out): follow it.
     */
    void interestChanged();

    /** The protocol paused reading: stop receiving (what is on its way is held, not lost). */
    void pauseReading();

    /** The protocol resumed reading: deliver what was held, in order, then receive again. */
    void resumeReading();

    /** Shuts the sending side down (our FIN), once everything queued is sent. */
    void shutdownOutput();

    /**
     * The output is shut down: from now on discard whatever arrives, until the peer's EOF
     * (or an error) ends it with {@link StreamOwner#lingerEnded()}.
     */
    void linger();

    /** Whether the peer sent bytes the engine has not received yet (closing now would reset). */
    boolean hasPendingInput();

    /** Makes the coming {@link #close()} reset the connection (RST) instead of closing it cleanly. */
    void resetOnClose();

    /**
     * Stops every operation, lets go of every buffer, and closes the socket. Called once;
     * nothing is reported after it.
     */
    void close();

    /** The socket's local address, or null once it is closed. */
    InetSocketAddress localAddress();

    /** The peer's address, or null if it has none. */
    InetSocketAddress remoteAddress();

    /** The socket, for messages: e.g. {@code socket fd=12}, with {@code (closed)} once closed. */
    @Override
    String toString();
}
