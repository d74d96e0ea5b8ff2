package dev.uloop;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event: the figures of one loop ({@link LoopStats}), once a period for every open loop.
 * Counters are totals since the loop was opened; lag is over the recent window.
 */
@Name("dev.uloop.LoopStatistics")
@Label("Event Loop Statistics")
@Category({"uloop", "Event Loop"})
@Description("The counters and recent lag of one uloop event loop")
@Period("10 s")
@StackTrace(false)
final class LoopStatsEvent extends Event {
    @Label("Loop")
    @Description("The loop's thread, or its backend and number when it does not run")
    String loop;

    @Label("Backend")
    String backend;

    @Label("Iterations")
    long iterations;

    @Label("Events Dispatched")
    long events;

    @Label("Time Waiting")
    @Description("Time spent waiting in the kernel since the loop was opened")
    @Timespan(Timespan.NANOSECONDS)
    long waiting;

    @Label("Time Working")
    @Description("Time spent running handlers, timers and tasks since the loop was opened")
    @Timespan(Timespan.NANOSECONDS)
    long working;

    @Label("Time Spinning")
    @Description("Part of the time waiting spent polling without waiting (EventLoop.spin) since the loop was opened")
    @Timespan(Timespan.NANOSECONDS)
    long spinning;

    @Label("Tasks Run")
    long tasksRun;

    @Label("Tasks Pending")
    int tasksPending;

    @Label("Timers")
    int timers;

    @Label("Registered Descriptors")
    int registeredFds;

    @Label("Slow Callbacks")
    long slowCallbacks;

    @Label("Lag Samples")
    @Description("Timers and tasks run in the recent lag window")
    long lagSamples;

    @Label("Lag p50")
    @Timespan(Timespan.NANOSECONDS)
    long lagP50;

    @Label("Lag p99")
    @Timespan(Timespan.NANOSECONDS)
    long lagP99;

    @Label("Lag Max")
    @Timespan(Timespan.NANOSECONDS)
    long lagMax;
}
