package dev.uloop;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

/**
 * The loops' JFR events, paid for only once JFR runs: loading an event class costs a few
 * hundred milliseconds of start-up when the recorder is not initialized, so the event
 * classes are not touched until it is (a recording started with
 * {@code -XX:StartFlightRecording} or {@code jcmd PID JFR.start}); a listener, registered
 * when the first loop opens (about a millisecond), tells. Then one periodic hook emits a
 * {@link LoopStatsEvent} for every open loop; JFR calls it only while a recording has the
 * event enabled. A loop leaves the registry when it closes.
 */
final class LoopEvents {
    private static final Map<EventLoop, String> OPEN = new ConcurrentHashMap<>();
    private static final AtomicInteger NUMBERS = new AtomicInteger();

    /** Whether JFR is initialized, so that the event classes may be used. */
    static volatile boolean jfr;

    static {
        FlightRecorder.addListener(new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                FlightRecorder.addPeriodicEvent(LoopStatsEvent.class, LoopEvents::emit);
                jfr = true;
            }
        });
    }

    private LoopEvents() {}

    /** A loop opened. */
    static void opened(EventLoop loop) {
        OPEN.put(loop, loop.backend().id() + "#" + NUMBERS.incrementAndGet());
    }

    /** A loop closed. */
    static void closed(EventLoop loop) {
        OPEN.remove(loop);
    }

    private static void emit() {
        OPEN.forEach((loop, name) -> {
            LoopStatsEvent e = new LoopStatsEvent();
            if (!e.shouldCommit()) {
                return;
            }
            LoopStats s = loop.stats();
            String thread = loop.threadName();
            e.loop = thread != null ? thread : name;
            e.backend = s.backend();
            e.iterations = s.iterations();
            e.events = s.eventsDispatched();
            e.waiting = s.waitNanos();
            e.working = s.busyNanos();
            e.spinning = s.spinNanos();
            e.tasksRun = s.tasksRun();
            e.tasksPending = s.pendingTasks();
            e.timers = s.timers();
            e.registeredFds = s.registeredFds();
            e.slowCallbacks = s.slowCallbacks();
            e.lagSamples = s.lagSamples();
            e.lagP50 = s.lagP50Nanos();
            e.lagP99 = s.lagP99Nanos();
            e.lagMax = s.lagMaxNanos();
            e.commit();
        });
    }
}
