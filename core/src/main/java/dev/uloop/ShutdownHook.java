package dev.uloop;

import java.time.Duration;

/**
 * Something on a loop that a graceful shutdown of its {@link EventLoopGroup} lets finish: a
 * server that stops accepting and lets its connections flush, say. Added with
 * {@link EventLoopGroup#addShutdownHook}.
 *
 * {@snippet class="dev.uloop.snippets.LoopSnippets" region="shutdownHook"}
 */
@FunctionalInterface
public interface ShutdownHook {
    /**
     * Starts shutting down, on the loop's thread. Stop taking new work, finish or abandon
     * what is in progress within {@code remaining}, then call {@code done} (from the loop
     * thread, once; later calls are ignored). A hook that has not called {@code done}
     * shortly after the deadline is given up on and its loop stops anyway.
     *
     * @param remaining what is left of the group's deadline (zero or more)
     * @param done      to call once finished
     */
    void shutdown(Duration remaining, Runnable done);
}
