package dev.uloop;

import dev.uloop.internal.poller.Poller;
import dev.uloop.internal.poller.Waker;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The loop's one thread-safe door: tasks queued from any thread, and the wakeup that
 * interrupts a kernel wait for them (an eventfd or pipe the loop polls). A wakeup costs
 * one write, none when one is already pending (the JDK's {@code interruptTriggered},
 * Netty's eventfd).
 */
final class TaskQueue {
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final Waker waker;

    private TaskQueue(Waker waker) {
        this.waker = waker;
    }

    /** A queue whose wakeups reach {@code poller}: its descriptor is registered there for IN. */
    static TaskQueue open(Poller poller) {
        Waker w = null;
        try {
            w = Waker.open();
            poller.register(w.fd(), Events.IN);
            return new TaskQueue(w);
        } catch (RuntimeException e) {
            if (w != null) {
                w.close();
            }
            poller.close();
            throw e;
        }
    }

    /** The descriptor the loop polls for wakeups. */
    int wakeFd() {
        return waker.fd();
    }

    /** Queues a task (any thread). */
    void add(Runnable task) {
        tasks.add(task);
        pending.incrementAndGet();
    }

    /** Interrupts the loop's kernel wait, unless a wakeup is pending already (any thread). */
    void wakeup() {
        if (wakeupPending.compareAndSet(false, true)) {
            waker.wakeup();
        }
    }

    /** The wakeup descriptor fired: consume it, so that the next wakeup writes again (loop thread). */
    void woken() {
        waker.drain();
        wakeupPending.set(false);
    }

    /** Tasks queued and not run yet. */
    int pending() {
        return pending.get();
    }

    /** The next task, or null (loop thread). */
    Runnable poll() {
        Runnable r = tasks.poll();
        if (r != null) {
            pending.decrementAndGet();
        }
        return r;
    }

    /** Closes the wakeup descriptor. */
    void close() {
        waker.close();
    }
}
