package dev.uloop;

import dev.uloop.internal.posix.Errno;

/**
 * A system call failed. The message names the call, its file descriptor when it has one,
 * and the errno with its name and text, for example
 * {@code epoll_ctl(ADD, fd=12): EBADF (Bad file descriptor)}.
 *
 * <p>uloop throws this one type for every failed libc call. {@code EINTR} never reaches
 * callers (it is retried inside) and {@code EAGAIN} on a non-blocking descriptor is a
 * normal result, not an exception.
 *
 * {@snippet class="dev.uloop.snippets.LoopSnippets" region="nativeException"}
 */
public final class NativeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The call, as written in the message, e.g. {@code "epoll_ctl(ADD, fd=12)"}. */
    private final String call;
    /** The errno value the call left behind. */
    private final int errno;

    /**
     * Creates the exception for a failed call.
     *
     * @param call  the call as it should appear in the message, e.g. {@code "read(fd=7)"}
     * @param errno the errno value (positive)
     */
    public NativeException(String call, int errno) {
        super(call + ": " + Errno.name(errno) + " (" + Errno.description(errno) + ")");
        this.call = call;
        this.errno = errno;
    }

    /**
     * The call that failed, with its arguments as shown in the message.
     *
     * @return for example {@code "bind(fd=5, 127.0.0.1:7007)"}
     */
    public String call() {
        return call;
    }

    /**
     * The errno value.
     *
     * @return a positive errno, e.g. 9 for {@code EBADF}
     */
    public int errno() {
        return errno;
    }

    /**
     * The symbolic errno name.
     *
     * @return for example {@code "EBADF"}
     */
    public String errnoName() {
        return Errno.name(errno);
    }
}
