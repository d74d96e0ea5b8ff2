package dev.uloop.snippets;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
import dev.uloop.EventLoopGroup;
import dev.uloop.Events;
import dev.uloop.Handler;
import dev.uloop.LoopStats;
import dev.uloop.NativeException;
import dev.uloop.Timer;
import dev.uloop.WallClock;
import dev.uloop.net.Protocols;
import dev.uloop.net.TcpServerGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The examples in the Javadoc of the {@code dev.uloop} package, as code the test build
 * compiles: the Javadoc shows these regions ({@code {@snippet class=... region=...}}), so an
 * example that no longer compiles fails the build.
 */
final class LoopSnippets {
    private LoopSnippets() {}

    static void eventLoop(int fd) {
        // @start region="eventLoop"
        try (EventLoop loop = EventLoop.open()) {                  // the best backend, or -Duloop.backend=poll
            loop.add(fd, Events.IN, (f, events) -> {                // the seeds' process_event
                System.out.println("fd " + f + ": " + Events.toString(events));
                loop.stop();
            });
            loop.every(Duration.ofSeconds(1), () -> System.out.println(loop.stats()));   // add_periodic
            loop.run();                                             // until stop()
            loop.remove(fd);                                        // the program closes fd itself
        }
        // @end
    }

    static void group() throws IOException {
        // @start region="group"
        EventLoopGroup group = EventLoopGroup.open(4, Backend.EPOLL);    // threads uloop-group-1-0 .. -3
        TcpServerGroup server = TcpServerGroup.listen(group, new InetSocketAddress("127.0.0.1", 7007),
                Protocols.onData((t, data) -> t.write(data)));          // one listening socket per loop
        group.start();
        // ... until it is time to stop:
        group.shutdown(Duration.ofSeconds(2));   // stop accepting, drain, stop: one deadline for all loops
        // @end
        System.out.println(server);
    }

    static void backend() {
        // @start region="backend"
        for (Backend b : Backend.values()) {
            System.out.println(b.id() + ": " + (b.isAvailable() ? b.cost() : b.unavailableReason().orElseThrow()));
        }
        try (EventLoop loop = EventLoop.open(Backend.POLL)) {       // the same handlers on another backend
            System.out.println("waiting on " + loop.backend());
        }
        // @end
    }

    static void events() {
        // @start region="events"
        int mask = Events.IN | Events.HUP;
        System.out.println(Events.toString(mask));                  // IN|HUP, the seeds' get_flag_names
        boolean readable = (mask & Events.IN) != 0;
        // @end
        System.out.println(readable);
    }

    static void handler(EventLoop loop, int fd) {
        // @start region="handler"
        Handler onReadable = (f, events) -> {
            if ((events & Events.IN) != 0) {
                System.out.println("fd " + f + " can be read");
            }
        };
        loop.add(fd, Events.IN, onReadable);
        // @end
    }

    static void timer(EventLoop loop) {
        // @start region="timer"
        Timer tick = loop.every(Duration.ofMillis(100), () -> System.out.println("tick"));
        loop.after(Duration.ofSeconds(1), tick::cancel);           // cancel() works from any thread too
        // @end
    }

    static void stats(EventLoop loop) {
        // @start region="stats"
        LoopStats s = loop.stats();                                 // from any thread
        double busy = (double) s.busyNanos() / (s.busyNanos() + s.waitNanos());
        System.out.printf("%s: %d iterations, %d events, %.0f%% busy, lag p99 %.1f ms%n", s.backend(),
                s.iterations(), s.eventsDispatched(), 100 * busy, s.lagP99Nanos() / 1e6);
        // @end
    }

    static void nativeException(EventLoop loop, int closedFd) {
        // @start region="nativeException"
        try {
            loop.add(closedFd, Events.IN, (f, events) -> { });
        } catch (NativeException e) {
            System.out.println(e.getMessage());                     // epoll_ctl(ADD, fd=12): EBADF (Bad file descriptor)
            System.out.println(e.errnoName() + " " + e.errno());   // EBADF 9
        }
        // @end
    }

    static void wallClock() {
        // @start region="wallClock"
        long nanos = WallClock.nanos();                             // since the Unix epoch, no allocation
        java.time.Instant now = java.time.Instant.ofEpochSecond(0, nanos);
        // @end
        System.out.println(now);
    }

    static void shutdownHook(EventLoopGroup group) {
        // @start region="shutdownHook"
        group.addShutdownHook(0, (remaining, done) -> {
            System.out.println("loop 0 stops; " + remaining.toMillis() + " ms left to finish");
            done.run();                                             // once finished (here: at once)
        });
        // @end
    }
}
