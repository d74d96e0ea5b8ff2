package dev.uloop.net;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * What a Unix datagram endpoint does with datagrams: {@link DatagramProtocol}'s callbacks
 * with the sender as a Unix socket address. Callbacks run on the loop thread.
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="unixDatagram"}
 */
@FunctionalInterface
public interface UnixDatagramProtocol {
    /**
     * A datagram arrived. The buffer is a view of the loop's read buffer, valid only during
     * this call.
     *
     * @param data the payload
     * @param from the sender: a {@link java.net.UnixDomainSocketAddress} (empty when the
     *             sender's socket has no name: it cannot be answered) or an
     *             {@link AbstractUnixAddress}
     */
    void datagramReceived(ByteBuffer data, SocketAddress from);

    /**
     * The endpoint was bound with this protocol: called once, before any datagram, with the
     * endpoint to answer through.
     *
     * @param endpoint the endpoint that will deliver datagrams to this protocol
     */
    default void bound(UnixDatagramEndpoint endpoint) {
    }

    /**
     * A receive failed: a datagram too large for the read buffer (EMSGSIZE), say. The
     * endpoint stays open.
     *
     * @param error what failed; its cause is the {@link dev.uloop.NativeException} with the errno
     */
    default void errorReceived(Exception error) {
    }
}
