package dev.uloop.internal.poller;

/**
 * One kernel readiness interface. Interest and results use the poll(2) bit values of
 * {@link dev.uloop.Events}; results are raw (what the kernel said), the loop folds them.
 *
 * <p>A poller is used by one thread at a time and allocates nothing per {@link #poll}.
 * Interest 0 keeps a descriptor registered but out of the kernel's set, so that
 * conditions the kernel always reports (ERR, HUP) cannot spin the loop.
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

    /**
     * Hands the completions of socket operations reaped by the last {@link #poll} to their
     * owners (the io_uring completion mode); readiness pollers have none.
     *
     * @return how many were handed out
     */
    default int runCompletions() {
        return 0;
    }

    /** Number of registered descriptors. */
    int size();

    @Override
    void close();

    /** Milliseconds left until {@code deadlineNanos}, rounded up: used to resume after EINTR. */
    static int remainingMillis(long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
    }

    /** Clamps a timeout to the int range the kernel takes; negative means infinite (-1). */
    static int clampTimeout(long timeoutMs) {
        return timeoutMs < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, timeoutMs);
    }
}
