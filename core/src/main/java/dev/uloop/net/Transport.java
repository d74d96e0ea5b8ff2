package dev.uloop.net;

import dev.uloop.EventLoop;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One stream connection, as its {@link Protocol} sees it. Loop thread only.
 *
 * <p>{@link #write} sends at once what the socket takes and queues only the rest; the loop
 * is asked for writability only while something is queued. When the queue grows past the
 * high-water mark (default {@value #DEFAULT_HIGH_WATER} bytes) the protocol's
 * {@link Protocol#pauseWriting()} is called, and {@link Protocol#resumeWriting()} once it
 * drains to the low-water mark (default {@value #DEFAULT_LOW_WATER}), as in asyncio.
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="transport"}
 */
public interface Transport {
    /** Default high-water mark of the write queue, as asyncio's: 64 KiB. */
    int DEFAULT_HIGH_WATER = 64 * 1024;
    /** Default low-water mark of the write queue, as asyncio's: 16 KiB. */
    int DEFAULT_LOW_WATER = 16 * 1024;

    /**
     * Sends bytes, queueing what the socket does not take now. The buffer is consumed, as a
     * channel's write consumes it: its position moves to its limit (the bytes are sent or
     * copied to the queue). Once the transport is closing, the bytes are dropped.
     *
     * @param data the bytes from position to limit
     */
    void write(ByteBuffer data);

    /**
     * Sends bytes, queueing what the socket does not take now.
     *
     * @param data the bytes
     */
    void write(byte[] data);

    /**
     * A future that completes, on the loop thread, once every byte written so far has left
     * the write queue (handed to the kernel); at once when nothing is queued. It completes
     * exceptionally if the connection is lost first.
     *
     * <pre>{@code
     * t.write(bigReply);
     * t.whenSent().thenRun(t::close);
     * }</pre>
     *
     * @return the future
     */
    java.util.concurrent.CompletableFuture<Void> whenSent();

    /** Shuts down the sending side once the queue is flushed (a half-close); reading goes on. */
    void writeEof();

    /** Stops reading, flushes the queue, then closes. Idempotent. */
    void close();

    /** Drops the queue and closes at once with a reset (SO_LINGER 0). Idempotent. */
    void abort();

    /** Stops reading until {@link #resumeReading()}: the peer's data waits in the kernel. */
    void pauseReading();

    /** Reads again after {@link #pauseReading()}. */
    void resumeReading();

    /**
     * Sets the write queue's water marks.
     *
     * @param high pause writing above this many queued bytes
     * @param low  resume writing at or below this many
     */
    void setWriteBufferLimits(int high, int low);

    /**
     * Bytes queued and not yet taken by the socket.
     *
     * @return the queue size in bytes
     */
    long writeBufferSize();

    /**
     * Whether {@link #close()} or {@link #abort()} was called or the connection was lost.
     *
     * @return true once closing
     */
    boolean isClosing();

    /**
     * The local address of a TCP connection.
     *
     * @return the address the connection is bound to; null on a Unix domain socket (see
     *         {@link #localSocketAddress()})
     */
    InetSocketAddress localAddress();

    /**
     * The peer's address on a TCP connection.
     *
     * @return the remote address; null on a Unix domain socket (see {@link #remoteSocketAddress()})
     */
    InetSocketAddress remoteAddress();

    /**
     * The local address, of any kind: the {@link InetSocketAddress} of a TCP connection; on
     * a Unix domain socket a {@link java.net.UnixDomainSocketAddress} (its path, empty when
     * the socket has no name, as a client's usually has not) or an {@link AbstractUnixAddress}.
     *
     * @return the address
     */
    default SocketAddress localSocketAddress() {
        return localAddress();
    }

    /**
     * The peer's address, of any kind, as {@link #localSocketAddress()}: a Unix client
     * connected to a server is usually unnamed ({@code UnixDomainSocketAddress.of("")}).
     *
     * @return the remote address
     */
    default SocketAddress remoteSocketAddress() {
        return remoteAddress();
    }

    /**
     * The peer process's credentials (pid, uid, gid), as the kernel recorded them when the
     * connection was made: on a Unix domain socket only ({@code SO_PEERCRED}).
     *
     * @return the credentials; empty on TCP
     */
    default Optional<PeerCredentials> peerCredentials() {
        return Optional.empty();
    }

    /**
     * The loop this connection runs on.
     *
     * @return the loop
     */
    EventLoop loop();
}
