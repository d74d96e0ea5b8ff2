package dev.uloop;

import dev.uloop.internal.backend.Backends;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The kernel interfaces an {@link EventLoop} can wait on, best first: the order in which
 * {@link #best()} (and {@code auto}) tries them.
 *
 * <table>
 * <caption>Backends</caption>
 * <tr><th>backend</th><th>cost of one wait</th><th>where</th></tr>
 * <tr><td>epoll</td><td>O(ready fds); the interest list lives in the kernel</td><td>Linux</td></tr>
 * <tr><td>io_uring</td><td>O(ready fds); one poll request per fd, re-armed after each report</td>
 *     <td>Linux 5.11+, where io_uring is allowed</td></tr>
 * <tr><td>io_uring-completion</td><td>as io_uring; TCP accept/recv/send done by the kernel, no
 *     syscall each</td><td>Linux 6.0+, where io_uring is allowed</td></tr>
 * <tr><td>poll</td><td>O(registered fds); the whole pollfd array is copied and scanned</td><td>POSIX</td></tr>
 * <tr><td>select</td><td>O(highest fd); three fd bit sets are copied and scanned</td>
 *     <td>POSIX; fds below 1024 where the kernel enforces FD_SETSIZE (not on Linux)</td></tr>
 * </table>
 *
 * <p>{@link #cost()} and {@link #limit()} give the same text at run time. Why the order is
 * what it is: epoll's wait costs what is ready, not what is watched, and it was the fastest
 * in every measurement; io_uring readiness is as cheap per wait but measured a tie or slower
 * and is often refused in containers; io_uring-completion saves most system calls but not
 * time on loopback, and its loop must keep its thread, so it is chosen by name; poll and
 * select scan every registered descriptor on every wait.
 *
 * {@snippet class="dev.uloop.snippets.LoopSnippets" region="backend"}
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
     * What one wait on this backend costs, in a line.
     *
     * @return for example {@code "O(ready fds); the interest list lives in the kernel"}
     */
    public String cost() {
        return Backends.spec(id).cost();
    }

    /**
     * Where this backend works.
     *
     * @return for example {@code "Linux 5.11+, where io_uring is allowed"}
     */
    public String limit() {
        return Backends.spec(id).limit();
    }

    /**
     * Whether this platform has the backend.
     *
     * @return true if an event loop can be opened on it
     */
    public boolean isAvailable() {
        return Backends.spec(id).unavailableReason() == null;
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
        return Optional.ofNullable(Backends.spec(id).unavailableReason());
    }

    /**
     * The best backend the platform has: the first available one in the order of this enum
     * (epoll, io_uring, io_uring-completion, poll, select). A backend that is not available
     * is passed over silently.
     *
     * @return the preferred backend
     * @throws UnsupportedOperationException when none is available
     */
    public static Backend best() {
        return best(Backend::unavailableReason);
    }

    /** {@link #best()} for a given availability (tests simulate a kernel that refuses io_uring). */
    static Backend best(Function<Backend, Optional<String>> reasons) {
        for (Backends.Spec s : Backends.ORDER) {
            Backend b = byId(s.id());
            if (reasons.apply(b).isEmpty()) {
                return b;
            }
        }
        String platform = Backends.platformProblem();
        throw new UnsupportedOperationException(platform != null ? platform
                : "no event backend (" + String.join(", ", ids()) + ") is available on " + System.getProperty("os.name"));
    }

    /**
     * The backends this platform has, best first.
     *
     * @return available backends
     */
    public static List<Backend> available() {
        List<Backend> list = new ArrayList<>();
        for (Backends.Spec s : Backends.ORDER) {
            Backend b = byId(s.id());
            if (b.isAvailable()) {
                list.add(b);
            }
        }
        return list;
    }

    private static Backend byId(String id) {
        for (Backend b : values()) {
            if (b.id.equals(id)) {
                return b;
            }
        }
        throw new IllegalStateException("the backend registry names " + id + ", which Backend does not");
    }

    private static List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (Backends.Spec s : Backends.ORDER) {
            ids.add(s.id());
        }
        return ids;
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
        List<String> ids = ids();
        throw new IllegalArgumentException("unknown backend '" + name + "'; choose auto, "
                + String.join(", ", ids.subList(0, ids.size() - 1)) + " or " + ids.getLast());
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
            for (Backends.Spec s : Backends.ORDER) {
                Backend o = byId(s.id());
                if (reasons.apply(o).isEmpty()) {
                    others.add(o);
                }
            }
            String platform = Backends.platformProblem();
            throw new UnsupportedOperationException(platform != null ? platform
                    : "the " + b.id + " backend is not available: " + why.get() + "; available: " + others);
        }
        return b;
    }

    @Override
    public String toString() {
        return id;
    }
}
