package dev.uloop.internal.net;

import java.net.InetSocketAddress;

/** What every stream engine does the same way: the calls that go straight to its socket. */
public abstract class SocketStream implements StreamEngine {
    /** The connection's socket. */
    protected final NativeSocket socket;

    /** An engine for {@code socket}. */
    protected SocketStream(NativeSocket socket) {
        this.socket = socket;
    }

    @Override
    public void shutdownOutput() {
        socket.shutdownOutput();
    }

    @Override
    public boolean hasPendingInput() {
        return socket.hasPendingInput();
    }

    @Override
    public void resetOnClose() {
        socket.lingerZero();
    }

    @Override
    public InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return socket.remoteAddress();
    }

    @Override
    public String toString() {
        return socket.toString();
    }
}
