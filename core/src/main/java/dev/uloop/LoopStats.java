package dev.uloop;

/**
 * A snapshot of an event loop's counters, readable from any thread.
 *
 * {@snippet class="dev.uloop.snippets.LoopSnippets" region="stats"}
 *
 * @param backend          the backend's name, e.g. {@code "epoll"}
 * @param iterations       loop iterations (one kernel wait each)
 * @param eventsDispatched handler calls made (on io_uring-completion, finished socket
 *                         operations handed to the network layer count too)
 * @param waitNanos        time spent waiting in the kernel
 * @param busyNanos        time spent running handlers, timers and tasks
 * @param tasksRun         tasks run from {@link EventLoop#execute}
 * @param pendingTasks     tasks queued and not yet run
 * @param timers           timers scheduled and not yet run or cancelled
 * @param registeredFds    descriptors registered with {@link EventLoop#add} (on
 *                         io_uring-completion the network layer's TCP sockets are not: they
 *                         have requests in the ring instead)
 */
public record LoopStats(String backend, long iterations, long eventsDispatched, long waitNanos,
                        long busyNanos, long tasksRun, int pendingTasks, int timers,
                        int registeredFds) {
}
