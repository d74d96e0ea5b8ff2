package dev.uloop.net;

import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.UnixName;
import java.net.SocketAddress;

/**
 * What a Unix domain stream connection knows about its two ends, asked once when it is made:
 * the addresses of both ends and the peer's credentials.
 *
 * @param local       this end's address
 * @param remote      the peer's address (usually unnamed for a client)
 * @param credentials the peer's credentials, or null when the kernel had none
 * @param text        the connection's peer for messages: the server's path or name
 */
record UnixPeer(SocketAddress local, SocketAddress remote, PeerCredentials credentials, String text) {
    /**
     * Asks the kernel about a connected Unix socket.
     *
     * @param socket the socket
     * @param server the server's name (the listening socket's, or the one connected to), for messages
     */
    static UnixPeer of(NativeSocket socket, UnixName server) {
        int[] c = socket.peerCredentials();
        return new UnixPeer(Unix.address(socket.unixName(false)), Unix.address(socket.unixName(true)),
                c == null ? null : new PeerCredentials(c[0], c[1], c[2]), server.toString());
    }

    @Override
    public String toString() {
        return text;
    }
}
