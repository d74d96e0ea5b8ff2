package dev.uloop;

/**
 * Reacts to readiness of one file descriptor: the seeds' {@code process_event}.
 *
 * <p>Called on the loop thread. Whatever it throws is logged and the loop goes on.
 *
 * {@snippet class="dev.uloop.snippets.LoopSnippets" region="handler"}
 */
@FunctionalInterface
public interface Handler {
    /**
     * The descriptor is ready.
     *
     * @param fd     the descriptor
     * @param events the ready bits, a non-empty subset of what was asked for (see {@link Events})
     * @throws Exception anything; it is logged and does not stop the loop
     */
    void onEvents(int fd, int events) throws Exception;
}
