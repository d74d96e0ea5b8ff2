package dev.uloop.internal.uring;

import dev.uloop.internal.net.AcceptErrors;
import dev.uloop.internal.net.AcceptorEngine;
import dev.uloop.internal.net.AcceptorOwner;
import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.Reactor;
import dev.uloop.internal.posix.IoUring;

/**
 * A listening socket on io_uring-completion: one multishot ACCEPT takes the place of
 * readiness; the kernel accepts, and each completion brings a new connection.
 */
final class CompletionAcceptor implements AcceptorEngine, SocketIo.Owner {
    private final SocketIo io;
    private final Reactor loop;
    private final NativeSocket listener;
    private final AcceptorOwner owner;
    private int slot = -1;            // its owner slot, once started
    private boolean paused;           // backing off after EMFILE and the like
    private boolean closed;

    CompletionAcceptor(SocketIo io, Reactor loop, NativeSocket listener, AcceptorOwner owner) {
        this.io = io;
        this.loop = loop;
        this.listener = listener;
        this.owner = owner;
    }

    @Override
    public void start() {
        if (!closed) {
            slot = io.attach(this, listener.fd());
            io.accept(slot);
        }
    }

    /** The multishot ACCEPT finished one connection (or failed). */
    @Override
    public void complete(int op, int res, int flags) {
        if (closed) {
            if (res >= 0) {
                NativeSocket.adopt(res).close();
            }
            return;
        }
        if (res >= 0) {
            NativeSocket s = NativeSocket.adopt(res);
            s.remoteAddress();        // asked now: after a reset the kernel no longer knows it
            owner.accepted(s);
        } else if (AcceptErrors.next(-res, listener.fd(), listener.localAddress()) == AcceptErrors.Next.BACK_OFF) {
            paused = true;
            io.cancel(slot, SocketIo.OP_ACCEPT);
            loop.after(AcceptErrors.BACKOFF, () -> {
                paused = false;
                arm();
            });
        }
        if ((flags & IoUring.IORING_CQE_F_MORE) == 0) {
            arm();
        }
    }

    private void arm() {
        if (!closed && !paused && !io.busy(slot, SocketIo.OP_ACCEPT)) {
            io.accept(slot);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (slot >= 0) {
            io.cancel(slot);          // waits: a closed listener must refuse connections at once
            io.detach(slot);
        }
        listener.close();
    }

    @Override
    public String toString() {
        return "acceptor on " + listener;
    }
}
