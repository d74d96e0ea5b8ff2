package dev.uloop.services;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.Backend;
import java.io.IOException;

/**
 * The ways to run a service, for parameterized tests: four loop backends, two event loops
 * sharing the port, two blocking modes.
 */
enum Mode {
    EPOLL(Backend.EPOLL, false, 1),
    IO_URING(Backend.IO_URING, false, 1),
    POLL(Backend.POLL, false, 1),
    SELECT(Backend.SELECT, false, 1),
    EPOLL_2_LOOPS(Backend.EPOLL, false, 2),
    IO_URING_COMPLETION(Backend.IO_URING_COMPLETION, false, 1),
    PLATFORM(null, false, 1),
    VIRTUAL(null, true, 1);

    private final Backend backend;
    private final boolean virtual;
    private final int loops;

    Mode(Backend backend, boolean virtual, int loops) {
        this.backend = backend;
        this.virtual = virtual;
        this.loops = loops;
    }

    /** A server for {@code config} on port 0, started; skips the test where the backend is missing. */
    Server start(ServiceConfig config) throws IOException {
        Server s = server(config.withPort(0));
        s.start();
        return s;
    }

    /** A server for {@code config} (its port as given), not started; skips the test where the backend is missing. */
    Server server(ServiceConfig config) {
        assumeTrue(backend == null || backend.isAvailable(),
                () -> backend + " is not available here: " + backend.unavailableReason().orElse(""));
        return backend != null ? Server.onLoop(config, backend, loops) : Server.blocking(config, virtual);
    }

    /** What the ready line says in parentheses. */
    String tag() {
        if (backend != null) {
            return "backend " + backend.id() + (loops > 1 ? ", " + loops + " loops" : "");
        }
        return virtual ? "blocking, virtual threads" : "blocking, platform threads";
    }
}
