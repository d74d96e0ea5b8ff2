package dev.uloop.net;

import dev.uloop.Backend;
import java.time.Duration;

/**
 * The network layer on the io_uring-completion backend with the loop spinning before each wait: the
 * echo allocation checks included, as spinning must allocate nothing either.
 */
class IoUringCompletionSpinNetTest extends NetContract {
    @Override
    protected Backend backend() {
        return Backend.IO_URING_COMPLETION;
    }

    @Override
    protected Duration spin() {
        return Duration.ofMillis(1);
    }
}
