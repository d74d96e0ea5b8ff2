package dev.uloop.bench.servers;

/**
 * A comparison echo server: TCP (bytes back on the same connection) or UDP (each
 * datagram back to its sender), on one thread, on loopback unless told otherwise.
 */
public interface EchoServer extends AutoCloseable {
    /**
     * Binds and starts serving on a thread of the server's own.
     *
     * @param port the port, 0 for any free one
     * @param tcp  true for TCP, false for UDP
     * @return the bound port
     * @throws Exception if it cannot bind or start
     */
    int start(int port, boolean tcp) throws Exception;

    /** Stops serving and releases the socket and the thread. Idempotent. */
    @Override
    void close();
}
