package dev.uloop.internal.util;

import dev.uloop.daemon.LogThrottle;
import java.lang.System.Logger;

/**
 * What a loop does with whatever a callback (a handler, a timer, a task, a completion)
 * threw: log it and go on, as asyncio and Netty do, so that one faulty callback cannot stop
 * every other connection. Only a {@link VirtualMachineError} other than a stack overflow
 * (out of memory, an internal error) goes on up: the JVM is in no state to continue.
 * The log goes through a {@link LogThrottle}: a callback that throws on every event logs one
 * stack trace per interval, not one per event.
 */
public final class Failures {
    private Failures() {}

    /**
     * Logs {@code t} at ERROR, or rethrows it when the JVM cannot go on.
     *
     * @param log  where to log
     * @param what what threw, e.g. {@code "handler for fd 7"}
     * @param t    what it threw
     */
    public static void callbackFailed(LogThrottle log, String what, Throwable t) {
        if (t instanceof VirtualMachineError vme && !(t instanceof StackOverflowError)) {
            throw vme;
        }
        log.log(Logger.Level.ERROR, LogThrottle.failureKey(t), what + " threw " + t, t);
    }
}
