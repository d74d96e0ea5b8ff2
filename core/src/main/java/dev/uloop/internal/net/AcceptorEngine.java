package dev.uloop.internal.net;

/**
 * How a listening socket accepts (the calls down): by readiness ({@link ReadinessAcceptor})
 * or by a multishot accept on io_uring ({@code internal.uring}). Accepted sockets go to an
 * {@link AcceptorOwner}.
 */
public interface AcceptorEngine {
    /** Starts accepting. */
    void start();

    /** Stops accepting and closes the listening socket. Idempotent. */
    void close();

    /** An acceptor for a server without a listening socket (a group's loop served by another loop's acceptor). */
    AcceptorEngine NONE = new AcceptorEngine() {
        @Override
        public void start() {
        }

        @Override
        public void close() {
        }
    };
}
