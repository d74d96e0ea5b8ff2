package dev.uloop;

import dev.uloop.internal.poller.Poller;
import dev.uloop.internal.poller.Waker;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The loop's one thread-safe door: tasks queued from any thread, and the wakeup that
 * interrupts a kernel wait for them (an eventfd or pipe the loop polls). A wakeup costs
 * one write, none when one is already pending (the JDK's {@code interruptTriggered},
 * Netty's eventfd).
 *
 * <p>The queue is a linked multi-producer single-consumer queue (Vyukov's): a producer
 * swaps itself in as the tail and then links the previous tail to it; the loop takes from
 * the head. Each node also holds when the task was queued, so that the loop can measure how
 * long it waited (loop lag) with the one allocation a linked queue makes anyway. Reading
 * the clock costs about as much as queuing, so only a sample of the tasks is timed: the
 * one that finds the queue empty, and one in {@value #SAMPLE_MASK}+1 of a backlog
 * (those queued when the count of pending tasks is 1 modulo 8). A loop that keeps up
 * times every task; a busy one, enough of them for the quantiles.
 */
final class TaskQueue {
    /** A task is timed when the pending count it makes is 1 modulo {@code SAMPLE_MASK + 1}. */
    static final int SAMPLE_MASK = 7;
    /** The queuing time of a task that is not timed. */
    static final long NOT_TIMED = Long.MIN_VALUE;
    private static final VarHandle TAIL;
    private static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(TaskQueue.class, "tail", Node.class);
            NEXT = l.findVarHandle(Node.class, "next", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One queued task and when it was queued. */
    private static final class Node {
        Runnable task;
        final long queuedAt;
        @SuppressWarnings("unused")
        volatile Node next;          // through NEXT

        Node(Runnable task, long queuedAt) {
            this.task = task;
            this.queuedAt = queuedAt;
        }
    }

    private Node head = new Node(null, 0);      // a consumed node (or the first stub); loop thread only
    @SuppressWarnings("unused")
    private volatile Node tail = head;           // through TAIL
    private long lastQueuedAt;                   // of the task poll() returned last; loop thread only
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final Waker waker;
    /** Orders a wakeup's write with the close of its descriptor, whose number may be reused at once. */
    private final Object wakerLock = new Object();
    private boolean wakerClosed;                 // guarded by wakerLock

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
        int p = pending.incrementAndGet();      // counted before it is linked: poll() may not see it yet
        Node n = new Node(task, (p & SAMPLE_MASK) == 1 ? System.nanoTime() : NOT_TIMED);
        Node prev = (Node) TAIL.getAndSet(this, n);
        NEXT.setRelease(prev, n);
    }

    /**
     * Interrupts the loop's kernel wait, unless a wakeup is pending already (any thread).
     * Does nothing once the queue is closed: a task queued by another thread while the loop
     * closes (a timer cancelled during shutdown) must neither fail on the closed descriptor
     * nor write into whatever file took its number since.
     */
    void wakeup() {
        if (wakeupPending.compareAndSet(false, true)) {
            synchronized (wakerLock) {
                if (!wakerClosed) {
                    waker.wakeup();
                }
            }
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

    /**
     * The next task, or null (loop thread). A task whose producer has swapped the tail but
     * not linked it yet is not seen; {@link #pending()} still counts it, so the loop polls
     * the kernel without waiting and takes it in the next iteration.
     */
    Runnable poll() {
        Node next = (Node) NEXT.getAcquire(head);
        if (next == null) {
            return null;
        }
        Runnable r = next.task;
        next.task = null;              // the node stays as the new stub
        head = next;
        lastQueuedAt = next.queuedAt;
        pending.decrementAndGet();
        return r;
    }

    /**
     * When the task {@link #poll()} returned last was queued ({@code System.nanoTime()}), or
     * {@link #NOT_TIMED} (loop thread).
     */
    long lastQueuedAt() {
        return lastQueuedAt;
    }

    /** Closes the wakeup descriptor; later wakeups do nothing. */
    void close() {
        synchronized (wakerLock) {
            wakerClosed = true;
            waker.close();
        }
    }
}
