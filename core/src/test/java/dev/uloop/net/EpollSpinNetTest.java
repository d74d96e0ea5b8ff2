package dev.uloop.net;

import dev.uloop.Backend;
import java.time.Duration;

/**
 * The network layer on the epoll backend with the loop spinning before each wait: the
 * echo allocation checks included, as spinning must allocate nothing either.
 */
class EpollSpinNetTest extends NetContract {
    @Override
    protected Backend backend() {
        return Backend.EPOLL;
    }

    @Override
    protected Duration spin() {
        return Duration.ofMillis(1);
    }
}
