package dev.uloop.internal.backend;

import dev.uloop.internal.net.ReadinessEngine;
import dev.uloop.internal.net.Reactor;
import dev.uloop.internal.poller.CompletionPhase;
import dev.uloop.internal.poller.EpollPoller;
import dev.uloop.internal.poller.PollPoller;
import dev.uloop.internal.poller.Poller;
import dev.uloop.internal.poller.SelectPoller;
import dev.uloop.internal.posix.LibC;
import dev.uloop.internal.uring.CompletionEngine;
import dev.uloop.internal.uring.IoUringPoller;
import dev.uloop.internal.uring.IoUringProbe;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The backends, in the one place that decides among them: the order {@code auto} tries
 * them in and why, what a wait on each costs, where each works, how each is probed, and
 * what a loop on each is made of. {@code dev.uloop.Backend} is the public face of this
 * table; {@code uloop backends} and the documentation read from it.
 *
 * <h2>The order, and why</h2>
 * <ol>
 * <li><b>epoll</b>: a wait costs what is ready, not what is watched, and it is the fastest
 *     in every measurement of the project's comparison runs.</li>
 * <li><b>io_uring</b> (readiness): as cheap per wait as epoll, but measured a tie or slower
 *     and refused by many containers' seccomp filters; first where epoll is missing.</li>
 * <li><b>io_uring-completion</b>: far fewer system calls per message, no measurable gain in
 *     throughput on loopback, and a loop that must keep its thread; {@code auto} never gets
 *     here (io_uring readiness is available wherever it is), so it is chosen by name.</li>
 * <li><b>poll</b>: portable, but every wait copies and scans every registered fd.</li>
 * <li><b>select</b>: every wait copies and scans bit sets up to the highest fd.</li>
 * </ol>
 */
public final class Backends {
    private Backends() {}

    /**
     * One backend.
     *
     * @param id          its name: on the command line, in {@code -Duloop.backend}, in stats
     * @param cost        what one wait costs
     * @param limit       where it works
     * @param unavailable why it cannot be used here, or null when it can (asked once per process
     *                    where the probe is expensive)
     * @param open        makes the parts of one loop on it
     */
    public record Spec(String id, String cost, String limit, Supplier<String> unavailable,
                       Function<Reactor, LoopParts> open) {
        /** Why this backend cannot be used here, or null when it can. */
        public String unavailableReason() {
            return unavailable.get();
        }
    }

    /**
     * Why uloop cannot run on a platform at all, or null where it can: its system calls,
     * constants and structure layouts are Linux's, for x86_64 and aarch64.
     *
     * @param os   {@code os.name}
     * @param arch {@code os.arch}
     * @return null on Linux on x86_64 or aarch64, else a sentence that says so
     */
    public static String platformProblem(String os, String arch) {
        String o = os.toLowerCase(java.util.Locale.ROOT);
        String a = arch.toLowerCase(java.util.Locale.ROOT);
        boolean knownArch = a.equals("amd64") || a.equals("x86_64") || a.equals("aarch64") || a.equals("arm64");
        if (o.startsWith("linux") && knownArch) {
            return null;
        }
        return "uloop runs on Linux on x86_64 and aarch64 (its system calls, constants and structures are"
                + " Linux's); this is " + os + " on " + arch;
    }

    /** {@link #platformProblem(String, String)} for this JVM; cached. */
    public static String platformProblem() {
        return PLATFORM;
    }

    private static final String PLATFORM = platformProblem(System.getProperty("os.name", "?"),
            System.getProperty("os.arch", "?"));

    /** A probe that is asked only where uloop can run at all. */
    private static Supplier<String> onLinux(Supplier<String> probe) {
        return () -> PLATFORM != null ? PLATFORM : probe.get();
    }

    private static final Spec EPOLL = new Spec("epoll",
            "O(ready fds); the interest list lives in the kernel",
            "Linux",
            onLinux(() -> LibC.has("epoll_create1") ? null : "the C library has no epoll_create1()"),
            r -> readiness(new EpollPoller(), r));

    private static final Spec IO_URING = new Spec("io_uring",
            "O(ready fds); one poll request per fd, re-armed after each report",
            "Linux 5.11+, where io_uring is allowed",
            onLinux(() -> IoUringProbe.available() ? null : IoUringProbe.support().reason()),
            r -> readiness(new IoUringPoller(), r));

    private static final Spec IO_URING_COMPLETION = new Spec("io_uring-completion",
            "as io_uring; TCP accept/recv/send done by the kernel, no syscall each",
            "Linux 6.0+, where io_uring is allowed",
            onLinux(IoUringProbe::completionUnsupportedReason),
            r -> {
                IoUringPoller poller = IoUringPoller.completion();
                CompletionEngine engine = new CompletionEngine(poller, r);
                return new LoopParts(poller, engine, engine);
            });

    private static final Spec POLL = new Spec("poll",
            "O(registered fds); the whole pollfd array is copied and scanned",
            "POSIX",
            onLinux(() -> LibC.has("poll") ? null : "the C library has no poll()"),
            r -> readiness(new PollPoller(), r));

    private static final Spec SELECT = new Spec("select",
            "O(highest fd); three fd bit sets are copied and scanned",
            "POSIX; fds below 1024 where the kernel enforces FD_SETSIZE (not on Linux)",
            onLinux(() -> LibC.has("select") ? null : "the C library has no select()"),
            r -> readiness(new SelectPoller(), r));

    /** Every backend, in the order {@code auto} tries them. */
    public static final List<Spec> ORDER = List.of(EPOLL, IO_URING, IO_URING_COMPLETION, POLL, SELECT);

    private static LoopParts readiness(Poller poller, Reactor reactor) {
        return new LoopParts(poller, new ReadinessEngine(reactor), CompletionPhase.NONE);
    }

    /**
     * A backend by its id.
     *
     * @throws IllegalArgumentException for an unknown id
     */
    public static Spec spec(String id) {
        for (Spec s : ORDER) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown backend " + id);
    }

    /**
     * Opens the parts of a loop on a backend.
     *
     * @param id      an available backend's id
     * @param reactor the loop, as its engines see it
     * @return the parts, owned by the caller (close the poller)
     */
    public static LoopParts open(String id, Reactor reactor) {
        return spec(id).open().apply(reactor);
    }

    /** A backend's poller alone, for tests and benchmarks of the kernel wait. */
    public static Poller openPoller(String id) {
        return open(id, null).poller();
    }
}
