package dev.uloop.internal.net;

import dev.uloop.daemon.LogThrottle;
import dev.uloop.internal.posix.Errno;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;

/** What an acceptor does about a failed accept, whichever engine it is. */
public final class AcceptErrors {
    private AcceptErrors() {}

    private static final Logger LOG = System.getLogger("uloop.net.TcpServer");
    /** At the descriptor limit accepts fail every {@link #BACKOFF}: one line per interval. */
    private static final LogThrottle THROTTLE = new LogThrottle(LOG);

    /** How long accepting pauses when the process is out of descriptors or memory. */
    public static final Duration BACKOFF = Duration.ofMillis(100);

    /** What to do next. */
    public enum Next {
        /** Accept the next connection. */
        GO_ON,
        /** Stop for now; readiness (or the multishot request) brings the next one. */
        STOP,
        /** Out of descriptors or memory: stop watching the listener for {@link #BACKOFF}. */
        BACK_OFF
    }

    /**
     * Classifies a failed accept, and logs what deserves it.
     *
     * @param errno    why accept failed
     * @param fd       the listening socket, for the log
     * @param listener its address, for the log
     * @return what to do next
     */
    public static Next next(int errno, int fd, InetSocketAddress listener) {
        switch (errno) {
            case Errno.EAGAIN:
            case Errno.ECANCELED:
                return Next.STOP;
            case Errno.ECONNABORTED:
            case Errno.EPROTO:
                return Next.GO_ON;       // that connection is gone; the next may be fine
            case Errno.EMFILE:
            case Errno.ENFILE:
            case Errno.ENOBUFS:
            case Errno.ENOMEM:
                // The pending connection would wake us at once again: pause instead of spinning.
                THROTTLE.log(Level.WARNING, errno, "accept on " + AddressFormat.format(listener) + ": "
                        + Errno.name(errno) + "; pausing accepts for " + BACKOFF.toMillis() + " ms");
                return Next.BACK_OFF;
            default:
                THROTTLE.log(Level.ERROR, errno, "accept4(fd=" + fd + "): " + Errno.name(errno));
                return Next.STOP;
        }
    }
}
