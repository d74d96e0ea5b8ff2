package dev.uloop.internal.poller;

/**
 * One kernel readiness interface. Interest and results use the poll(2) bit values of
 * {@link dev.uloop.Events}; results are raw (what the kernel said), the loop folds them.
 *
 * <p>A poller is used by one thread at a time and allocates nothing per {@link #poll}.
 * Interest 0 keeps a descriptor registered but out of the kernel's set, so that
 * conditions the kernel always reports (ERR, HUP) cannot spin the loop.
 *
 * <p>{@link #register} asks the kernel (or checks the descriptor) before it grows any
 * table, so that a descriptor that is not open fails at once with EBADF, whatever its
 * number.
 */
public interface Poller extends AutoCloseable {
    /** Short name: {@code "epoll"}, {@code "io_uring"}, {@code "poll"}, {@code "select"}. */
    String name();

    /** Starts watching {@code fd}, which is not registered yet. */
    void register(int fd, int events);

    /** Changes the interest of a registered {@code fd}. */
    void modify(int fd, int events);

    /** Stops watching {@code fd}. Quiet if the descriptor was already closed. */
    void unregister(int fd);

    /**
     * Waits for readiness and appends (fd, raw bits) pairs to {@code out}.
     *
     * @param timeoutMs milliseconds to wait; 0 returns at once, negative waits forever
     * @param out       cleared, then filled
     * @return the number of pairs added
     */
    int poll(long timeoutMs, ReadySet out);

    /** Number of registered descriptors. */
    int size();

    @Override
    void close();
}
