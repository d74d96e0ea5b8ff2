package dev.uloop.internal.uring;

import dev.uloop.internal.poller.ReadySet;

/**
 * A user of a {@link RingSession}: the readiness poll set ({@link PollSet}) or the
 * completion-mode socket I/O ({@link SocketIo}). The session writes their requests just
 * before each wait, hands each completion to the client whose request it is, and tells
 * them when the ring is replaced or closes.
 */
interface RingClient {
    /** Writes the requests queued since the last wait as SQEs. */
    void prepare();

    /** Whether a completion with this user_data is one of this client's requests. */
    boolean owns(long userData);

    /**
     * One of this client's completions.
     *
     * @param out where readiness goes; null while completions are drained to make room
     *            (what they reported is then reported again by the next wait)
     */
    void complete(long userData, int res, int flags, ReadySet out);

    /** Completions taken off the ring and not handed out yet: the loop must not sleep while there are any. */
    int pending();

    /** The ring is about to be replaced: refuse (throw) when this client cannot follow, else let go of the old one. */
    void beforeMove();

    /** The ring was replaced: arm on the new ring what was armed on the old one. */
    void moved();

    /** The ring is closing: end what is in flight (the session submits, then closes the ring). */
    void closing();

    /** The ring is closed: let go of memory. */
    void closed();

    /** The client of a ring that does no socket I/O (the io_uring readiness backend). */
    RingClient NONE = new RingClient() {
        @Override
        public void prepare() {
        }

        @Override
        public boolean owns(long userData) {
            return false;
        }

        @Override
        public void complete(long userData, int res, int flags, ReadySet out) {
        }

        @Override
        public int pending() {
            return 0;
        }

        @Override
        public void beforeMove() {
        }

        @Override
        public void moved() {
        }

        @Override
        public void closing() {
        }

        @Override
        public void closed() {
        }
    };
}
