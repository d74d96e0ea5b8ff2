package dev.uloop.net;

import dev.uloop.daemon.LogThrottle;
import dev.uloop.EventLoop;
import dev.uloop.NativeException;
import dev.uloop.internal.backend.LoopEngines;
import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.NetErrors;
import dev.uloop.internal.net.StreamEngine;
import dev.uloop.internal.net.StreamOwner;
import dev.uloop.internal.net.WriteQueue;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A non-blocking TCP connection (or Unix domain stream connection, see {@link UnixServer}
 * and {@link Unix#connect}) driving a {@link Protocol}: the seeds' per-connection
 * handler with its message queue. It is the {@link Transport} and the connection's state
 * machine (reading, paused, at EOF, closing, lingering, closed); the socket's I/O is done
 * by the engine of the loop's backend: by readiness (reads into the loop's one read
 * buffer; writes go straight to the socket and only the rest is queued, with writability
 * asked for only while the queue is not empty), or, on io_uring-completion, by the kernel
 * (one multishot receive, sends from pooled native buffers). The connection never asks
 * which one it has.
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="connection"}
 */
public final class TcpConnection implements Transport {
    private static final System.Logger LOG = System.getLogger("uloop.net.TcpConnection");
    /** A protocol that fails on every connection or datagram logs once per interval. */
    private static final LogThrottle FAILURES = new LogThrottle(LOG);
    /**
     * How long a gracefully closed connection waits for the peer's EOF while discarding its
     * input. Closing a socket with unread input makes the kernel send a reset, which would
     * destroy replies the peer has not read yet (nginx's "lingering close" solves the same).
     */
    static final Duration LINGER = Duration.ofSeconds(2);

    private final EventLoop loop;
    private final Protocol protocol;
    private final Consumer<TcpConnection> onClosed;      // lets a server forget the connection
    private final WriteQueue queue = new WriteQueue(DEFAULT_HIGH_WATER, DEFAULT_LOW_WATER);
    private final StreamEngine engine;
    private final UnixPeer unix;     // a Unix domain connection's addresses and peer; null on TCP
    private final ByteCounter bytes; // the server's byte counts, or null
    private long written;            // bytes accepted by write() since the start
    private java.io.IOException failure;   // a send failed inside write(); the loss is reported next
    private final SentFutures sentWaiters = new SentFutures();   // whenSent() futures
    private boolean readingPaused;   // by the protocol
    private boolean eof;             // the peer's EOF was read
    private boolean writingPaused;   // above the high-water mark
    private boolean closing;         // close() called: flush, then close
    private boolean eofPending;      // writeEof() called: shut the output down once flushed
    private boolean lingering;       // output shut down; discarding input until the peer's EOF
    private boolean noLinger;        // closing for a server's stop: once flushed, close at once if nothing is unread
    private boolean closed;
    private IdleTimer idle;          // the idle timeout, or null for none
    private boolean idleClosed;      // closed by the idle timeout

    /**
     * Takes over a connected, non-blocking socket: starts its I/O on the loop and calls
     * {@link Protocol#connectionMade}.
     *
     * @param loop     the loop to run on (call from its thread, or before it runs)
     * @param socket   a connected non-blocking TCP (or Unix stream) socket, now owned by the connection
     * @param protocol what to do with the connection
     * @param onClosed called once after the socket is closed (may be null)
     * @param unix     a Unix stream connection's addresses and peer; null for TCP
     * @param idleTimeout closes the connection after this long without a byte received or sent; null for never
     * @param bytes    where to count the bytes received and written (a server's), or null
     * @return the connection
     */
    static TcpConnection adopt(EventLoop loop, NativeSocket socket, Protocol protocol,
                               Consumer<TcpConnection> onClosed, UnixPeer unix, Duration idleTimeout,
                               ByteCounter bytes) {
        TcpConnection c;
        try {
            c = new TcpConnection(loop, socket, protocol, onClosed, unix, bytes);
            c.engine.start();
            if (idleTimeout != null) {
                c.idle = IdleTimer.start(loop, c, idleTimeout);
            }
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        try {
            protocol.connectionMade(c);
        } catch (RuntimeException e) {
            c.fail(e);
        }
        return c;
    }

    private TcpConnection(EventLoop loop, NativeSocket socket, Protocol protocol, Consumer<TcpConnection> onClosed,
                          UnixPeer unix, ByteCounter bytes) {
        this.unix = unix;
        this.bytes = bytes;
        this.loop = loop;
        this.protocol = protocol;
        this.onClosed = onClosed;
        this.engine = LoopEngines.sockets(loop).stream(socket, new Owner());
    }

    /**
     * The protocol driving this connection.
     *
     * @return the protocol
     */
    public Protocol protocol() {
        return protocol;
    }

    /** What the engine reports, and what it asks about the connection's state. */
    private final class Owner implements StreamOwner {
        @Override
        public WriteQueue queue() {
            return queue;
        }

        @Override
        public boolean inputOpen() {
            return !closed && !closing && !eof;
        }

        @Override
        public boolean wantsInput() {
            return inputOpen() && !readingPaused;
        }

        @Override
        public void received(ByteBuffer data) {
            active();
            if (bytes != null) {
                bytes.received(data.remaining());
            }
            try {
                protocol.dataReceived(data);
            } catch (RuntimeException e) {
                fail(e);
            }
        }

        @Override
        public void eof() {
            eofArrived();
        }

        @Override
        public void drained() {
            TcpConnection.this.drained();
        }

        @Override
        public void lost(NativeException cause) {
            closeNow(NetErrors.connectionFailed(cause, peerText()));
        }

        @Override
        public void writeFailed(NativeException cause) {
            // EPIPE, ECONNRESET...: report it after the current callback, not inside the protocol's write().
            closing = true;
            queue.clear();
            java.net.SocketException e = NetErrors.connectionFailed(cause, peerText());
            failure = e;
            loop.execute(() -> closeNow(e));
        }

        @Override
        public void lingerEnded() {
            closeNow(null);
        }
    }

    private void eofArrived() {
        eof = true;
        active();
        boolean keepOpen;
        try {
            keepOpen = protocol.eofReceived();
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        if (keepOpen) {
            updateInterest();
        } else {
            close();
        }
    }

    // ------------------------------------------------------------ writing

    @Override
    public void write(ByteBuffer data) {
        int n = data.remaining();
        if (n == 0 || closing || eofPending || closed) {
            data.position(data.limit());       // taken, as after a close: dropped
            return;
        }
        active();
        engine.write(data);
        data.position(data.limit());
        written += n;
        if (bytes != null) {
            bytes.written(n);
        }
        checkHighWater();
    }

    @Override
    public void write(byte[] data) {
        if (data.length == 0 || closing || eofPending || closed) {
            return;
        }
        active();
        engine.write(data, 0, data.length);
        written += data.length;
        if (bytes != null) {
            bytes.written(data.length);
        }
        checkHighWater();
    }

    @Override
    public CompletableFuture<Void> whenSent() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (failure != null) {
            f.completeExceptionally(failure);      // what was written is lost, not sent
        } else if (closed) {
            f.completeExceptionally(new java.nio.channels.ClosedChannelException());
        } else if (queue.size() == 0) {
            f.complete(null);
        } else {
            sentWaiters.add(written, f);
        }
        return f;
    }

    /** Pauses the writer once more than the high-water mark is waiting to be sent. */
    private void checkHighWater() {
        if (!writingPaused && queue.aboveHigh()) {
            writingPaused = true;
            try {
                protocol.pauseWriting();
            } catch (RuntimeException e) {
                fail(e);
            }
        }
    }

    /** After queued bytes went out: resume the writer below the low-water mark, finish a close or half-close. */
    private void drained() {
        active();
        sentWaiters.completeUpTo(written - queue.size());
        if (writingPaused && queue.atOrBelowLow()) {
            writingPaused = false;
            try {
                protocol.resumeWriting();
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
        }
        if (queue.size() == 0) {
            if (closing) {
                finishClose();
                return;
            }
            if (eofPending) {
                engine.shutdownOutput();
            }
        }
        updateInterest();
    }

    private void updateInterest() {
        if (!closed && !lingering) {
            engine.interestChanged();
        }
    }

    // ------------------------------------------------------------ closing

    @Override
    public void writeEof() {
        if (closing || eofPending || closed) {
            return;
        }
        eofPending = true;
        if (queue.size() == 0) {
            engine.shutdownOutput();
        }
    }

    @Override
    public void close() {
        if (closing || closed) {
            return;
        }
        closing = true;
        if (queue.size() == 0) {
            finishClose();
        } else {
            updateInterest();      // stop reading, keep flushing
        }
    }

    /**
     * Everything is sent: send our FIN, then wait (up to {@link #LINGER}) for the peer's,
     * discarding what it still sends, so that the close cannot turn into a reset.
     */
    private void finishClose() {
        if (eof) {
            closeNow(null);        // the peer is done sending: nothing can be left unread
            return;
        }
        if (noLinger && !engine.hasPendingInput()) {
            closeNow(null);        // a stop: nothing unread, so a plain close sends a FIN, not a reset
            return;
        }
        engine.shutdownOutput();
        lingering = true;
        engine.linger();
        loop.after(LINGER, () -> closeNow(null));
    }

    /**
     * Closes for a server's graceful stop: flushes what is queued, then closes at once, not
     * waiting for the peer's EOF as {@link #close()} does, unless the peer sent something
     * not read yet (closing then would reset the connection and could destroy replies the
     * peer has not read). A stop then takes as long as there is data to flush.
     */
    void closeForStop() {
        noLinger = true;
        if (lingering && !engine.hasPendingInput()) {
            closeNow(null);        // closed before the stop, waiting for the peer's EOF: not any more
        } else {
            close();
        }
    }

    @Override
    public void abort() {
        if (closed) {
            return;
        }
        queue.clear();
        engine.resetOnClose();
        closeNow(null);
    }

    /** A protocol callback threw: log it and reset the connection. */
    private void fail(RuntimeException e) {
        FAILURES.log(Level.ERROR, LogThrottle.failureKey(e),
                "protocol " + protocol.getClass().getName() + " failed on " + this + "; aborting", e);
        queue.clear();
        if (!closed) {
            engine.resetOnClose();
        }
        closeNow(e);
    }

    private void closeNow(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        closing = true;
        queue.clear();
        engine.close();
        if (idle != null) {
            idle.cancel();
        }
        sentWaiters.failAll(cause);
        if (onClosed != null) {
            onClosed.accept(this);
        }
        try {
            protocol.connectionLost(cause);
        } catch (RuntimeException e) {
            FAILURES.log(Level.ERROR, LogThrottle.failureKey(e),
                    "connectionLost of " + protocol.getClass().getName() + " threw", e);
        }
    }

    // ------------------------------------------------------------ idle timeout

    /**
     * Closes this connection once it has neither received nor sent a byte for
     * {@code timeout} (from now on), as a server's {@link SocketOptions#idleTimeout} does,
     * which is set before {@link Protocol#connectionMade}; null stops it. With nothing
     * queued it closes as {@link #close()} does, else (the peer takes nothing) it aborts.
     *
     * @param timeout how long it may stay idle (positive), or null for no limit
     * @throws IllegalArgumentException for a timeout that is zero or negative
     */
    public void setIdleTimeout(Duration timeout) {
        IdleTimer.check(timeout);
        if (idle != null) {
            idle.cancel();
        }
        idle = timeout == null || closed ? null : IdleTimer.start(loop, this, timeout);
    }

    /** A byte was received or sent: the connection is not idle. */
    private void active() {
        if (idle != null) {
            idle.touch();
        }
    }

    /** The idle timer ran out: close, or abort when the peer leaves our queue stuck. */
    void idleTimedOut() {
        idleClosed = true;
        LOG.log(Level.DEBUG, "{0}: idle for {1} ms; closing", this, idle.timeout().toMillis());
        if (closing || queue.size() > 0) {
            abort();
        } else {
            close();
        }
    }

    /** Whether the idle timeout closed the connection. */
    boolean closedIdle() {
        return idleClosed;
    }

    // ------------------------------------------------------------ the rest of Transport

    @Override
    public void pauseReading() {
        if (!readingPaused && !closed) {
            readingPaused = true;
            engine.pauseReading();
        }
    }

    @Override
    public void resumeReading() {
        if (readingPaused && !closed) {
            readingPaused = false;
            engine.resumeReading();
        }
    }

    @Override
    public void setWriteBufferLimits(int high, int low) {
        queue.setLimits(high, low);
    }

    @Override
    public long writeBufferSize() {
        return queue.size();
    }

    @Override
    public boolean isClosing() {
        return closing || closed;
    }

    /**
     * Whether the socket is closed and {@link Protocol#connectionLost} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public InetSocketAddress localAddress() {
        return engine.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return engine.remoteAddress();
    }

    @Override
    public SocketAddress localSocketAddress() {
        return unix != null ? unix.local() : localAddress();
    }

    @Override
    public SocketAddress remoteSocketAddress() {
        return unix != null ? unix.remote() : remoteAddress();
    }

    @Override
    public Optional<PeerCredentials> peerCredentials() {
        return unix != null ? Optional.ofNullable(unix.credentials()) : Optional.empty();
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    /** The peer for messages: {@code 127.0.0.1:7}, or a Unix socket's path. */
    private String peerText() {
        return unix != null ? unix.toString() : Addresses.format(engine.remoteAddress());
    }

    @Override
    public String toString() {
        return (unix != null ? "UnixConnection[" : "TcpConnection[") + engine + ", " + peerText() + "]";
    }
}
