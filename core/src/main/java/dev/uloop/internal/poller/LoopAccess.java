package dev.uloop.internal.poller;

import dev.uloop.EventLoop;
import java.util.function.Function;

/**
 * The network layer's way to a loop's poller, which {@link EventLoop} does not make public
 * (the JDK's SharedSecrets pattern): the loop installs the accessor when its class is
 * initialised, which has happened by the time anyone holds a loop.
 */
public final class LoopAccess {
    private static volatile Function<EventLoop, Poller> poller;

    private LoopAccess() {}

    /** Called once, by EventLoop. */
    public static void install(Function<EventLoop, Poller> accessor) {
        poller = accessor;
    }

    /**
     * The completion-based socket I/O of {@code loop}.
     *
     * @return it, or null when the loop waits for readiness only
     */
    public static IoUringCompletions completions(EventLoop loop) {
        return Pollers.completions(poller.apply(loop));
    }
}
