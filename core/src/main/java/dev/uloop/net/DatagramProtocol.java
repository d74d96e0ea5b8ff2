package dev.uloop.net;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** What a UDP endpoint does with datagrams. Callbacks run on the loop thread.
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="udp"}
 */
public interface DatagramProtocol {
    /**
     * A datagram arrived (0 to 65507 bytes). The buffer is a view of the loop's read
     * buffer, valid only during this call.
     *
     * @param data the payload
     * @param from the sender
     */
    void datagramReceived(ByteBuffer data, InetSocketAddress from);

    /**
     * The endpoint was bound with this protocol: called once, on the thread that binds and
     * before any datagram, with the endpoint to answer through. Protocols made by a factory
     * for a group ({@link UdpEndpointGroup#bind}) learn their endpoint here.
     *
     * @param endpoint the endpoint that will deliver datagrams to this protocol
     */
    default void bound(UdpEndpoint endpoint) {
    }

    /**
     * The kernel reported an error on the socket, about a datagram sent earlier: a
     * {@link java.net.PortUnreachableException} when the destination refused it (ICMP port
     * unreachable), else a {@link java.net.SocketException}; its cause is the
     * {@link dev.uloop.NativeException} with the errno. The endpoint stays open.
     *
     * @param error what failed
     */
    default void errorReceived(Exception error) {
    }
}
