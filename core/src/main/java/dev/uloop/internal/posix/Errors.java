package dev.uloop.internal.posix;

import dev.uloop.NativeException;

/**
 * The one place where a failed call becomes an exception (Netty's {@code Errors}). The
 * bindings return a result or {@code -errno}; the layers above either treat some errnos as
 * normal results (EAGAIN on a non-blocking descriptor, EINTR and the other transient ones
 * inside a wait) or pass the result through {@link #check}, which throws
 * {@link NativeException} naming the call, its descriptor and the errno:
 * {@code epoll_ctl(ADD, fd=12): EBADF (Bad file descriptor)}.
 *
 * <p>The message is built only when the call failed: the hot paths pass the call's name
 * and its fd, never a string made in advance.
 */
public final class Errors {
    private Errors() {}

    /** What a non-blocking call returns when it would block: {@code -EAGAIN}, a normal result. */
    public static final int AGAIN = -Errno.EAGAIN;

    /**
     * The exception for a failed call.
     *
     * @param call  the call as the message shows it, e.g. {@code "bind(fd=5, 127.0.0.1:7007)"}
     * @param errno the positive errno
     * @return the exception, to throw or to hand on
     */
    public static NativeException exception(String call, int errno) {
        return new NativeException(call, errno);
    }

    /**
     * The exception for a failed call on a descriptor: {@code name(fd=N)}.
     *
     * @param name  the call's name, e.g. {@code "recv"}
     * @param fd    its descriptor
     * @param errno the positive errno
     * @return the exception
     */
    public static NativeException exception(String name, int fd, int errno) {
        return new NativeException(name + "(fd=" + fd + ")", errno);
    }

    /**
     * A call's result, or the exception it stands for.
     *
     * @param result what the binding returned: the result, or {@code -errno}
     * @param call   the call as the message shows it
     * @return {@code result} when it is not negative
     * @throws NativeException when it is
     */
    public static int check(int result, String call) {
        if (result < 0) {
            throw exception(call, -result);
        }
        return result;
    }

    /**
     * A call's result on a descriptor, or the exception it stands for.
     *
     * @param result what the binding returned
     * @param name   the call's name; the message reads {@code name(fd=N)}
     * @param fd     the descriptor
     * @return {@code result} when it is not negative
     * @throws NativeException when it is
     */
    public static int check(int result, String name, int fd) {
        if (result < 0) {
            throw exception(name, fd, -result);
        }
        return result;
    }

    /** {@link #check(int, String, int)} for {@code ssize_t} results. */
    public static long check(long result, String name, int fd) {
        if (result < 0) {
            throw exception(name, fd, (int) -result);
        }
        return result;
    }

    /**
     * The result of non-blocking I/O: bytes, or {@link #AGAIN} when the call would have
     * blocked; anything else is an exception.
     *
     * @param result what the binding returned
     * @param name   the call's name
     * @param fd     the descriptor
     * @return {@code result} when it is not negative, else {@link #AGAIN}
     * @throws NativeException for every other failure
     */
    public static long ioResult(long result, String name, int fd) {
        if (result < 0 && result != AGAIN) {
            throw exception(name, fd, (int) -result);
        }
        return result;
    }

    /**
     * Whether a failed call is worth repeating at once: interrupted by a signal (EINTR), or,
     * for io_uring_enter, refused until completions are consumed (EBUSY, and EAGAIN on
     * older kernels).
     *
     * @param result a binding's result
     * @return true for {@code -EINTR}, {@code -EAGAIN} and {@code -EBUSY}
     */
    public static boolean isTransient(long result) {
        return result == -Errno.EINTR || result == -Errno.EAGAIN || result == -Errno.EBUSY;
    }
}
