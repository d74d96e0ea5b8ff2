package dev.uloop.internal.net;

import dev.uloop.Events;
import dev.uloop.NativeException;

/** A listening socket on a readiness backend: accepts (up to a batch per event) when the loop reports IN. */
final class ReadinessAcceptor implements AcceptorEngine {
    private static final int ACCEPTS_PER_EVENT = 64;

    private final Reactor loop;
    private final NativeSocket listener;
    private final AcceptorOwner owner;
    private boolean started;
    private boolean closed;

    ReadinessAcceptor(Reactor loop, NativeSocket listener, AcceptorOwner owner) {
        this.loop = loop;
        this.listener = listener;
        this.owner = owner;
    }

    @Override
    public void start() {
        if (!closed) {
            loop.add(listener.fd(), Events.IN, (fd, ev) -> acceptAll());
            started = true;
        }
    }

    private void acceptAll() {
        for (int i = 0; i < ACCEPTS_PER_EVENT && !closed; i++) {
            NativeSocket c;
            try {
                c = listener.accept();
            } catch (NativeException e) {
                switch (AcceptErrors.next(e.errno(), listener.fd(), listener.localAddress())) {
                    case GO_ON -> {
                        continue;
                    }
                    case BACK_OFF -> backOff();
                    default -> { }
                }
                return;
            }
            if (c == null) {
                return;
            }
            owner.accepted(c);
        }
    }

    private void backOff() {
        loop.modify(listener.fd(), 0);
        loop.after(AcceptErrors.BACKOFF, () -> {
            if (!closed) {
                loop.modify(listener.fd(), Events.IN);
            }
        });
    }

    /** Stops accepting and closes the socket; from any thread while it was never started. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (started) {
                loop.remove(listener.fd());
            }
            listener.close();
        }
    }
}
