package dev.uloop;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event: a handler, timer or task held its loop longer than the slow-callback
 * threshold. Committed on the loop thread right after the callback returned, so its stack
 * trace shows the phase that called it.
 */
@Name("dev.uloop.SlowCallback")
@Label("Slow Callback")
@Category({"uloop", "Event Loop"})
@Description("A handler, timer or task held the event loop longer than the slow-callback threshold")
@StackTrace(true)
final class SlowCallbackEvent extends Event {
    /** A probe for {@link #isEnabled()}: whether a recording wants the event. */
    static final SlowCallbackEvent PROBE = new SlowCallbackEvent();

    @Label("Kind")
    @Description("handler, timer, task, or completion batch (io_uring-completion: the network layer's protocol calls of one iteration)")
    String kind;

    @Label("Callback")
    @Description("The class of the handler, timer task or task")
    String callback;

    @Label("File Descriptor")
    @Description("The descriptor a handler was called for, -1 for timers and tasks")
    int fd;

    @Label("Backend")
    String backend;

    @Label("Duration")
    @Timespan(Timespan.NANOSECONDS)
    long held;

    @Label("Threshold")
    @Timespan(Timespan.NANOSECONDS)
    long threshold;
}
