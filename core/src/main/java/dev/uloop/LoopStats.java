package dev.uloop;

import java.util.List;

/**
 * A snapshot of an event loop's counters, readable from any thread: {@link EventLoop#stats()}
 * reads them while the loop runs, without stopping or slowing it. The figures are read one after the other, so they may be an
 * iteration apart; each is whole and none goes backwards.
 *
 * {@snippet class="dev.uloop.snippets.LoopSnippets" region="stats"}
 *
 * @param backend          the backend's name, e.g. {@code "epoll"}
 * @param iterations       loop iterations (one kernel wait each)
 * @param eventsDispatched handler calls made (on io_uring-completion, finished socket
 *                         operations handed to the network layer count too)
 * @param waitNanos        time spent waiting in the kernel (with a {@linkplain EventLoop#spin spin},
 *                         the time spent spinning too)
 * @param busyNanos        time spent running handlers, timers and tasks
 * @param spinPolls        polls without waiting made while spinning before a wait
 *                         ({@link EventLoop#spin}; 0 when it is off)
 * @param spinNanos        time spent spinning, part of {@code waitNanos}: the CPU time the
 *                         spin costs, at most the spin duration per iteration
 * @param tasksRun         tasks run from {@link EventLoop#execute}
 * @param pendingTasks     tasks queued and not yet run
 * @param timers           timers scheduled and not yet run or cancelled
 * @param registeredFds    descriptors registered with {@link EventLoop#add} (on
 *                         io_uring-completion the network layer's TCP sockets are not: they
 *                         have requests in the ring instead)
 * @param slowCallbacks    callbacks that held the loop longer than its
 *                         {@linkplain EventLoop#slowCallbackThreshold slow-callback threshold}
 * @param lagSamples       timers and tasks run in the recent lag window (15 to 30 s)
 * @param lagP50Nanos      loop lag, median over the recent window: how long after its
 *                         deadline a timer, or after {@code execute} a task, started
 *                         (to within 25 %)
 * @param lagP99Nanos      loop lag, 99th percentile over the recent window
 * @param lagMaxNanos      loop lag, the largest in the recent window
 */
public record LoopStats(String backend, long iterations, long eventsDispatched, long waitNanos,
                        long busyNanos, long spinPolls, long spinNanos, long tasksRun, int pendingTasks, int timers,
                        int registeredFds, long slowCallbacks, long lagSamples, long lagP50Nanos,
                        long lagP99Nanos, long lagMaxNanos) {
    /**
     * The figures of several loops together (a group's): counters and gauges added up, and
     * for the lag, the samples added up and each quantile the worst loop's (quantiles of
     * different loops cannot be added).
     *
     * @param loops the loops' snapshots, at least one
     * @return their total, with the first loop's backend
     * @throws IllegalArgumentException if {@code loops} is empty
     */
    public static LoopStats total(List<LoopStats> loops) {
        if (loops.isEmpty()) {
            throw new IllegalArgumentException("no loops to add up");
        }
        LoopStats t = loops.get(0);
        for (int i = 1; i < loops.size(); i++) {
            LoopStats s = loops.get(i);
            t = new LoopStats(t.backend, t.iterations + s.iterations, t.eventsDispatched + s.eventsDispatched,
                    t.waitNanos + s.waitNanos, t.busyNanos + s.busyNanos, t.spinPolls + s.spinPolls,
                    t.spinNanos + s.spinNanos, t.tasksRun + s.tasksRun,
                    t.pendingTasks + s.pendingTasks, t.timers + s.timers, t.registeredFds + s.registeredFds,
                    t.slowCallbacks + s.slowCallbacks, t.lagSamples + s.lagSamples,
                    Math.max(t.lagP50Nanos, s.lagP50Nanos), Math.max(t.lagP99Nanos, s.lagP99Nanos),
                    Math.max(t.lagMaxNanos, s.lagMaxNanos));
        }
        return t;
    }
}
