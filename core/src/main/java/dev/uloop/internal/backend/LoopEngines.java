package dev.uloop.internal.backend;

import dev.uloop.internal.net.SocketEngine;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * How the network layer reaches the socket I/O of a loop, which the loop does not make
 * public: the loop installs the accessor when its class is initialised, which has happened
 * by the time anyone holds a loop (the JDK's SharedSecrets pattern). It is typed by
 * {@link Executor}, which {@code EventLoop} is, so that this package, below the loop, does
 * not import the loop's class.
 */
public final class LoopEngines {
    private static volatile Function<Executor, SocketEngine> accessor;

    private LoopEngines() {}

    /** Called once, by the loop's class. */
    public static void install(Function<Executor, SocketEngine> loopToSockets) {
        accessor = loopToSockets;
    }

    /**
     * The socket I/O of {@code loop}.
     *
     * @param loop an {@code EventLoop}
     * @return the engine its backend gave it
     */
    public static SocketEngine sockets(Executor loop) {
        return accessor.apply(loop);
    }
}
