package dev.uloop.internal.poller;

import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.Unistd;
import dev.uloop.daemon.LogThrottle;
import java.lang.System.Logger;

/** What the pollers share about the descriptors they are given. */
public final class Descriptors {
    private Descriptors() {}

    /**
     * Fails like epoll_ctl(ADD) would for a descriptor that is not open, so that every
     * backend refuses a bad fd at registration instead of reporting it later.
     */
    public static void requireOpen(int fd) {
        int r = Unistd.fcntl(fd, Unistd.F_GETFD, 0);
        if (r < 0) {
            throw Errors.exception("fcntl(F_GETFD, fd=" + fd + ")", -r);
        }
    }

    /** The warning for a descriptor the kernel reports as closed while it was still registered. */
    public static void closedWhileRegistered(LogThrottle log, int fd) {
        log.log(Logger.Level.WARNING, "closed while registered",
                "fd " + fd + " was closed while registered; no longer watched (call remove() before close())");
    }
}
