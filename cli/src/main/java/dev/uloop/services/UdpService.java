package dev.uloop.services;

import dev.uloop.net.DatagramProtocol;
import dev.uloop.net.UdpEndpoint;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A UDP service on the event loop: every datagram the {@link UdpGuard} lets through gets
 * the {@link Responder}'s reply, sent back to its source. Echo sends the received buffer
 * itself, straight from the loop's read buffer.
 */
public final class UdpService implements DatagramProtocol {
    private static final System.Logger LOG = System.getLogger("uloop.services");

    private final Responder responder;
    private final UdpGuard guard;
    private UdpEndpoint endpoint;

    /**
     * A service not yet bound; pass it to {@link UdpEndpoint#bind} (or make one per loop in
     * the factory given to {@link dev.uloop.net.UdpEndpointGroup#bind}): it learns its
     * endpoint through {@link #bound}.
     *
     * @param responder makes replies
     * @param guard     decides which datagrams to answer
     */
    public UdpService(Responder responder, UdpGuard guard) {
        this.responder = responder;
        this.guard = guard;
    }

    @Override
    public void bound(UdpEndpoint e) {
        this.endpoint = e;
    }

    /**
     * Tells the service which endpoint to answer through (before the loop runs); the same as
     * {@link #bound}, which binding does already.
     *
     * @param e the endpoint bound with this service
     * @return the endpoint
     */
    public UdpEndpoint attach(UdpEndpoint e) {
        this.endpoint = e;
        return e;
    }

    @Override
    public void datagramReceived(ByteBuffer data, InetSocketAddress from) {
        if (guard.allow(from)) {
            endpoint.send(responder.reply(data), from);
        }
    }

    @Override
    public void errorReceived(Exception error) {
        LOG.log(Level.DEBUG, "udp: " + error.getMessage());
    }
}
