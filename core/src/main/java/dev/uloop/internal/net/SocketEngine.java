package dev.uloop.internal.net;

/**
 * A loop's socket I/O: makes the stream and acceptor engines of its connections and
 * listening sockets. Each backend gives its loops one ({@code internal.backend}): the
 * readiness backends a {@link ReadinessEngine}, io_uring-completion its completion engine.
 * Outgoing connections and datagrams wait for readiness on every backend.
 */
public interface SocketEngine {
    /** The loop the engines run on. */
    Reactor reactor();

    /** The engine of a connected socket, reporting to {@code owner}; call {@link StreamEngine#start()} to begin. */
    StreamEngine stream(NativeSocket socket, StreamOwner owner);

    /** The engine of a listening socket, handing connections to {@code owner}. */
    AcceptorEngine acceptor(NativeSocket listener, AcceptorOwner owner);
}
