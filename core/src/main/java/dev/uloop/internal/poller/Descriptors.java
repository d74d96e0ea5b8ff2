package dev.uloop.internal.poller;

import dev.uloop.NativeException;
import dev.uloop.internal.posix.Unistd;

/** Checks shared by the pollers whose kernel interface does not validate at registration. */
final class Descriptors {
    private Descriptors() {}

    /**
     * Fails like epoll_ctl(ADD) would for a descriptor that is not open, so that every
     * backend refuses a bad fd at registration instead of reporting it later.
     */
    static void requireOpen(int fd) {
        int r = Unistd.fcntl(fd, Unistd.F_GETFD, 0);
        if (r < 0) {
            throw new NativeException("fcntl(F_GETFD, fd=" + fd + ")", -r);
        }
    }
}
