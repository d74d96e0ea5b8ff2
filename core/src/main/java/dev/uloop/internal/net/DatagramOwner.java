package dev.uloop.internal.net;

import dev.uloop.NativeException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** What a {@link DatagramEngine} reports to its endpoint, on the loop's thread. */
public interface DatagramOwner {
    /**
     * One datagram.
     *
     * @param data        its bytes, valid during the call only
     * @param from        the sender: an InetSocketAddress on UDP
     * @param receiveTime the kernel's receive timestamp in nanoseconds since the epoch, or 0
     *                    when the socket has none
     */
    void received(ByteBuffer data, SocketAddress from, long receiveTime);

    /** A receive failed: an ICMP error for an earlier send (ECONNREFUSED...); the socket stays usable. */
    void error(NativeException cause);
}
