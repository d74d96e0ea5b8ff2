package dev.uloop.internal.uring;

import dev.uloop.internal.net.AcceptorEngine;
import dev.uloop.internal.net.AcceptorOwner;
import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.Reactor;
import dev.uloop.internal.net.SocketEngine;
import dev.uloop.internal.net.StreamEngine;
import dev.uloop.internal.net.StreamOwner;
import dev.uloop.internal.poller.CompletionPhase;

/**
 * An io_uring-completion loop's socket I/O: its TCP connections and listening sockets do
 * their I/O through the ring ({@link CompletionStream}, {@link CompletionAcceptor}), and
 * the loop's completion phase hands the finished operations to them.
 */
public final class CompletionEngine implements SocketEngine, CompletionPhase {
    private final SocketIo io;
    private final Reactor reactor;

    /** The engine over {@code poller}'s socket I/O, for the loop behind {@code reactor}. */
    public CompletionEngine(IoUringPoller poller, Reactor reactor) {
        this.io = poller.socketIo();
        this.reactor = reactor;
    }

    @Override
    public Reactor reactor() {
        return reactor;
    }

    @Override
    public StreamEngine stream(NativeSocket socket, StreamOwner owner) {
        return new CompletionStream(io, reactor, socket, owner);
    }

    @Override
    public AcceptorEngine acceptor(NativeSocket listener, AcceptorOwner owner) {
        return new CompletionAcceptor(io, reactor, listener, owner);
    }

    @Override
    public int run() {
        return io.pending() == 0 ? 0 : io.run();
    }

    @Override
    public int pending() {
        return io.pending();
    }

    /** Receive buffers handed to connections and not given back yet (for tests). */
    public int heldBuffers() {
        return io.buffers().held();
    }
}
