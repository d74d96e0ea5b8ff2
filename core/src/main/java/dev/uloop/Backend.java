package dev.uloop;

import dev.uloop.internal.poller.IoUringCompletions;
import dev.uloop.internal.posix.Epoll;
import dev.uloop.internal.posix.IoUringProbe;
import dev.uloop.internal.posix.Poll;
import dev.uloop.internal.posix.Select;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The kernel interfaces an {@link EventLoop} can wait on, best first.
 *
 * <table>
 * <caption>Backends</caption>
 * <tr><th>backend</th><th>cost of one wait</th><th>limit</th></tr>
 * <tr><td>epoll</td><td>proportional to ready fds; interest kept in the kernel</td><td>Linux only</td></tr>
 * <tr><td>io_uring</td><td>proportional to ready fds; one poll request per fd, re-armed after each report</td>
 *     <td>Linux 5.11+, where io_uring is allowed</td></tr>
 * <tr><td>io_uring-completion</td><td>no wait per socket operation: the kernel accepts, receives and
 *     sends; completions are collected in the wait</td><td>Linux 6.0+, where io_uring is allowed</td></tr>
 * <tr><td>poll</td><td>proportional to registered fds (the whole array is copied and scanned)</td><td>none</td></tr>
 * <tr><td>select</td><td>proportional to the highest fd (three bit sets copied and scanned)</td>
 *     <td>fd &lt; 1024 where the kernel enforces FD_SETSIZE; not on Linux</td></tr>
 * </table>
 */
public enum Backend {
    /** Linux epoll(7). */
    EPOLL("epoll"),
    /**
     * Linux io_uring(7) in readiness mode: a one-shot {@code IORING_OP_POLL_ADD} per fd,
     * changes and the wait submitted in one {@code io_uring_enter}. Linux 5.11+, and only
     * where the kernel allows io_uring (see {@link #unavailableReason()}).
     */
    IO_URING("io_uring"),
    /**
     * Linux io_uring(7) in completion mode: the network layer's TCP sockets do their I/O
     * through the ring (multishot ACCEPT, multishot RECV into a provided buffer ring, SEND),
     * so an echoed message costs no system call of its own; everything else waits for
     * readiness as on {@link #IO_URING}. Linux 6.0+. A loop on it keeps the thread of its
     * first {@link EventLoop#run()} while connections are open.
     */
    IO_URING_COMPLETION("io_uring-completion"),
    /** poll(2). */
    POLL("poll"),
    /** select(2). */
    SELECT("select");

    /** The system property that overrides the automatic choice. */
    public static final String PROPERTY = "uloop.backend";

    private final String id;

    Backend(String id) {
        this.id = id;
    }

    /**
     * The lower-case name used on the command line and in {@value #PROPERTY}.
     *
     * @return {@code "epoll"}, {@code "io_uring"}, {@code "io_uring-completion"}, {@code "poll"} or {@code "select"}
     */
    public String id() {
        return id;
    }

    /**
     * Whether this platform has the backend.
     *
     * @return true if an event loop can be opened on it
     */
    public boolean isAvailable() {
        return switch (this) {
            case EPOLL -> Epoll.available();
            case IO_URING -> IoUringProbe.available();
            case IO_URING_COMPLETION -> IoUringProbe.available() && IoUringCompletions.unsupportedReason() == null;
            case POLL -> Poll.available();
            case SELECT -> Select.available();
        };
    }

    /**
     * Why this backend cannot be used here. io_uring is probed once per process (a tiny
     * ring set up and closed): the reason names the refusal, e.g.
     * {@code io_uring_setup: EPERM (Operation not permitted): refused by a seccomp filter ...}
     * or {@code disabled by sysctl: kernel.io_uring_disabled=2}.
     *
     * @return empty when the backend is available
     */
    public Optional<String> unavailableReason() {
        if (isAvailable()) {
            return Optional.empty();
        }
        if (this == IO_URING) {
            return Optional.of(IoUringProbe.support().reason());
        }
        if (this == IO_URING_COMPLETION) {
            return Optional.of(IoUringProbe.available() ? IoUringCompletions.unsupportedReason() : IoUringProbe.support().reason());
        }
        return Optional.of("not available on " + System.getProperty("os.name"));
    }

    /**
     * The best backend the platform has: epoll, else io_uring, else io_uring-completion,
     * else poll, else select.
     * A backend that is not available is passed over silently.
     *
     * @return the preferred backend
     * @throws UnsupportedOperationException when none is available
     */
    public static Backend best() {
        return best(Backend::unavailableReason);
    }

    /** {@link #best()} for a given availability (tests simulate a kernel that refuses io_uring). */
    static Backend best(Function<Backend, Optional<String>> reasons) {
        for (Backend b : values()) {
            if (reasons.apply(b).isEmpty()) {
                return b;
            }
        }
        throw new UnsupportedOperationException("no event backend (epoll, io_uring, poll, select) is available on "
                + System.getProperty("os.name"));
    }

    /**
     * The backends this platform has, best first.
     *
     * @return available backends
     */
    public static List<Backend> available() {
        List<Backend> list = new ArrayList<>();
        for (Backend b : values()) {
            if (b.isAvailable()) {
                list.add(b);
            }
        }
        return list;
    }

    /**
     * Parses a backend name; {@code "auto"} means {@link #best()}.
     *
     * @param name {@code auto}, {@code epoll}, {@code io_uring} (also {@code iouring},
     *             {@code io-uring}), {@code io_uring-completion} (also with {@code _} or
     *             {@code -} anywhere, or {@code completion}), {@code poll} or {@code select}
     *             (any case)
     * @return the backend
     * @throws IllegalArgumentException for an unknown name
     */
    public static Backend parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("auto")) {
            return best();
        }
        String u = n.replace('-', '_');
        if (u.equals("iouring") || u.equals("io_uring")) {
            return IO_URING;
        }
        if (u.equals("iouring_completion") || u.equals("io_uring_completion") || u.equals("completion")) {
            return IO_URING_COMPLETION;
        }
        for (Backend b : values()) {
            if (b.id.equals(n)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "'; choose auto, epoll, io_uring, io_uring-completion, poll or select");
    }

    /**
     * The backend named by the {@value #PROPERTY} system property, or {@link #best()}.
     *
     * @return the configured backend
     */
    public static Backend fromProperty() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            return best();
        }
        try {
            return parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + v + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks that the backend is available.
     *
     * @return this backend
     * @throws UnsupportedOperationException with the reason and the available alternatives when it is not
     */
    public Backend requireAvailable() {
        return require(this, Backend::unavailableReason);
    }

    /** {@link #requireAvailable()} for a given availability (tests simulate a kernel that refuses io_uring). */
    static Backend require(Backend b, Function<Backend, Optional<String>> reasons) {
        Optional<String> why = reasons.apply(b);
        if (why.isPresent()) {
            List<Backend> others = new ArrayList<>();
            for (Backend o : values()) {
                if (reasons.apply(o).isEmpty()) {
                    others.add(o);
                }
            }
            throw new UnsupportedOperationException(b == IO_URING || b == IO_URING_COMPLETION
                    ? "the " + b.id + " backend is not available: " + why.get() + "; available: " + others
                    : "the " + b.id + " backend is not available on " + System.getProperty("os.name")
                            + "; available: " + others);
        }
        return b;
    }

    @Override
    public String toString() {
        return id;
    }
}
