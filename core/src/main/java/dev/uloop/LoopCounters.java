package dev.uloop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters of one loop: written by the loop thread only (single writer), read from
 * any thread. Each is a plain {@code long} written with {@code setOpaque} and read with
 * {@code getOpaque}: a reader sees every value whole and never one older than a value it
 * saw before, with no fence and no lock on the loop thread (on x86 and ARM a plain store).
 * The figures of one snapshot are read one by one, so they may be an iteration apart.
 */
final class LoopCounters {
    private static final VarHandle ITERATIONS;
    private static final VarHandle EVENTS;
    private static final VarHandle WAIT;
    private static final VarHandle BUSY;
    private static final VarHandle TASKS;
    private static final VarHandle SLOW;
    private static final VarHandle SPIN_POLLS;
    private static final VarHandle SPIN;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            ITERATIONS = l.findVarHandle(LoopCounters.class, "iterations", long.class);
            EVENTS = l.findVarHandle(LoopCounters.class, "eventsDispatched", long.class);
            WAIT = l.findVarHandle(LoopCounters.class, "waitNanos", long.class);
            BUSY = l.findVarHandle(LoopCounters.class, "busyNanos", long.class);
            TASKS = l.findVarHandle(LoopCounters.class, "tasksRun", long.class);
            SLOW = l.findVarHandle(LoopCounters.class, "slowCallbacks", long.class);
            SPIN_POLLS = l.findVarHandle(LoopCounters.class, "spinPolls", long.class);
            SPIN = l.findVarHandle(LoopCounters.class, "spinNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long iterations;
    private long eventsDispatched;
    private long waitNanos;
    private long busyNanos;
    private long tasksRun;
    private long slowCallbacks;
    private long spinPolls;
    private long spinNanos;

    /** One iteration ended: {@code wait} in the kernel, {@code busy} running callbacks (loop thread). */
    void iteration(long wait, long busy) {
        WAIT.setOpaque(this, waitNanos + wait);
        BUSY.setOpaque(this, busyNanos + busy);
        ITERATIONS.setOpaque(this, iterations + 1);
    }

    /** {@code n} handler calls or completions were made (loop thread). */
    void events(int n) {
        EVENTS.setOpaque(this, eventsDispatched + n);
    }

    /** {@code n} tasks ran (loop thread). */
    void tasks(long n) {
        TASKS.setOpaque(this, tasksRun + n);
    }

    /** A callback held the loop longer than the threshold (loop thread). */
    void slowCallback() {
        SLOW.setOpaque(this, slowCallbacks + 1);
    }

    /** The loop polled without waiting, spinning before a wait, for {@code nanos} (loop thread). */
    void spun(long nanos) {
        SPIN_POLLS.setOpaque(this, spinPolls + 1);
        SPIN.setOpaque(this, spinNanos + nanos);
    }

    long iterations() {
        return (long) ITERATIONS.getOpaque(this);
    }

    long eventsDispatched() {
        return (long) EVENTS.getOpaque(this);
    }

    long waitNanos() {
        return (long) WAIT.getOpaque(this);
    }

    long busyNanos() {
        return (long) BUSY.getOpaque(this);
    }

    long tasksRun() {
        return (long) TASKS.getOpaque(this);
    }

    long slowCallbacks() {
        return (long) SLOW.getOpaque(this);
    }

    long spinPolls() {
        return (long) SPIN_POLLS.getOpaque(this);
    }

    long spinNanos() {
        return (long) SPIN.getOpaque(this);
    }
}
