package dev.uloop.services;

import dev.uloop.net.Protocol;
import dev.uloop.net.Transport;
import java.nio.ByteBuffer;

/**
 * The echo service (RFC 862) on one TCP connection: every byte received is written back,
 * unchanged and in order.
 *
 * <ul>
 * <li>The received buffer goes straight to {@link Transport#write(ByteBuffer)}, which sends
 *     from the loop's read buffer and copies only what the socket does not take.</li>
 * <li>Backpressure: when the write queue passes its high-water mark, reading stops; it
 *     resumes once the queue drains. A client that sends without reading fills its own
 *     socket buffers and then blocks, instead of making the server queue without bound.</li>
 * <li>Half-close: on the client's EOF the connection finishes sending what is queued and
 *     then closes, so {@code send; shutdown(SHUT_WR); read to EOF} gets everything back.</li>
 * </ul>
 */
public final class EchoProtocol implements Protocol {
    private Transport transport;
    private String peer;   // only kept when DEBUG logging is on

    /** A protocol for one connection. */
    public EchoProtocol() {
    }

    @Override
    public void connectionMade(Transport t) {
        transport = t;
        if (ConnectionLog.enabled()) {
            peer = ConnectionLog.peer(t);
            ConnectionLog.opened("echo", peer);
        }
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        transport.write(data);
    }

    @Override
    public void pauseWriting() {
        transport.pauseReading();
    }

    @Override
    public void resumeWriting() {
        transport.resumeReading();
    }

    @Override
    public boolean eofReceived() {
        transport.close();   // flushes what is queued, then closes
        return true;
    }

    @Override
    public void connectionLost(Throwable cause) {
        if (peer != null) {
            ConnectionLog.closed("echo", peer, cause);
        }
    }
}
