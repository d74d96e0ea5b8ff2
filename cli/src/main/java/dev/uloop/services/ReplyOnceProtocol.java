package dev.uloop.services;

import dev.uloop.net.Protocol;
import dev.uloop.net.Transport;
import java.nio.ByteBuffer;

/**
 * The TCP side of daytime (RFC 867) and time (RFC 868): on connect, write one reply and
 * close. Whatever the client sends is ignored.
 *
 * <p>The close is the transport's graceful one: it sends the reply and a FIN, then waits
 * for the client's EOF while discarding its input, so that a client that sent a request
 * line ({@code echo hi | nc host 13}, a telnet user pressing Enter) still gets the reply
 * instead of a reset.
 */
public final class ReplyOnceProtocol implements Protocol {
    private final Responder responder;
    private final String name;
    private Transport transport;
    private String peer;   // only kept when DEBUG logging is on

    /**
     * A protocol for one connection.
     *
     * @param responder makes the reply; it is asked with an empty request
     */
    public ReplyOnceProtocol(Responder responder) {
        this(responder, "tcp");
    }

    ReplyOnceProtocol(Responder responder, String name) {
        this.responder = responder;
        this.name = name;
    }

    @Override
    public void connectionMade(Transport t) {
        transport = t;
        if (ConnectionLog.enabled()) {
            peer = ConnectionLog.peer(t);
            ConnectionLog.opened(name, peer);
        }
        t.write(responder.reply(Service.emptyRequest()));
        t.close();
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        // The request carries no meaning; the reply is already on its way.
    }

    @Override
    public void connectionLost(Throwable cause) {
        if (peer != null) {
            ConnectionLog.closed(name, peer, cause);
        }
    }
}
