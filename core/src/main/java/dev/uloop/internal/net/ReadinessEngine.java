package dev.uloop.internal.net;

/** The socket I/O of the readiness backends: every operation waits for the loop to report readiness. */
public final class ReadinessEngine implements SocketEngine {
    private final Reactor reactor;

    /** The engine of a loop. */
    public ReadinessEngine(Reactor reactor) {
        this.reactor = reactor;
    }

    @Override
    public Reactor reactor() {
        return reactor;
    }

    @Override
    public StreamEngine stream(NativeSocket socket, StreamOwner owner) {
        return new ReadinessStream(reactor, socket, owner);
    }

    @Override
    public AcceptorEngine acceptor(NativeSocket listener, AcceptorOwner owner) {
        return new ReadinessAcceptor(reactor, listener, owner);
    }
}
