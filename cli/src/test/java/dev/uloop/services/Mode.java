package dev.uloop.services;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.Backend;
import java.io.IOException;

/** The six ways to run a service, for parameterized tests: four loop backends, two blocking modes. */
enum Mode {
    EPOLL(Backend.EPOLL, false),
    IO_URING(Backend.IO_URING, false),
    POLL(Backend.POLL, false),
    SELECT(Backend.SELECT, false),
    PLATFORM(null, false),
    VIRTUAL(null, true);

    private final Backend backend;
    private final boolean virtual;

    Mode(Backend backend, boolean virtual) {
        this.backend = backend;
        this.virtual = virtual;
    }

    /** A server for {@code config} on port 0, started; skips the test where the backend is missing. */
    Server start(ServiceConfig config) throws IOException {
        assumeTrue(backend == null || backend.isAvailable(),
                () -> backend + " is not available here: " + backend.unavailableReason().orElse(""));
        Server s = backend != null ? Server.onLoop(config.withPort(0), backend) : Server.blocking(config.withPort(0), virtual);
        s.start();
        return s;
    }

    /** What the ready line says in parentheses. */
    String tag() {
        return backend != null ? "backend " + backend.id() : virtual ? "blocking, virtual threads" : "blocking, platform threads";
    }
}
