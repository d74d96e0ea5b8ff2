package dev.uloop.services;

import dev.uloop.net.DatagramProtocol;
import dev.uloop.net.UdpEndpoint;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A UDP service on the event loop: every datagram gets the {@link DatagramAnswerer}'s
 * reply, if any, sent back to its source. Echo sends the received buffer itself, straight
 * from the loop's read buffer.
 */
public final class UdpService implements DatagramProtocol {
    private static final System.Logger LOG = System.getLogger("uloop.services");

    private final DatagramAnswerer answerer;
    private final boolean wantsReceiveTime;
    private UdpEndpoint endpoint;

    /**
     * A service not yet bound; pass it to {@link UdpEndpoint#bind} (or make one per loop in
     * the factory given to {@link dev.uloop.net.UdpEndpointGroup#bind}): it learns its
     * endpoint through {@link #bound}.
     *
     * @param answerer decides which datagrams to answer, and how
     */
    public UdpService(DatagramAnswerer answerer) {
        this.answerer = answerer;
        this.wantsReceiveTime = answerer.wantsReceiveTime();
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

    /**
     * The answerer.
     *
     * @return what decides and replies
     */
    public DatagramAnswerer answerer() {
        return answerer;
    }

    @Override
    public void datagramReceived(ByteBuffer data, InetSocketAddress from) {
        ByteBuffer reply = answerer.answer(data, from, wantsReceiveTime ? endpoint.receiveTimeNanos() : 0);
        if (reply != null) {
            answerer.beforeSend(reply);
            endpoint.send(reply, from);
        }
    }

    @Override
    public void errorReceived(Exception error) {
        LOG.log(Level.DEBUG, "udp: " + error.getMessage());
    }
}
