package dev.uloop;

import dev.uloop.internal.posix.Epoll;
import dev.uloop.internal.posix.Poll;
import dev.uloop.internal.posix.Select;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The kernel interfaces an {@link EventLoop} can wait on, best first.
 *
 * <table>
 * <caption>Backends</caption>
 * <tr><th>backend</th><th>cost of one wait</th><th>limit</th></tr>
 * <tr><td>epoll</td><td>proportional to ready fds; interest kept in the kernel</td><td>Linux only</td></tr>
 * <tr><td>poll</td><td>proportional to registered fds (the whole array is copied and scanned)</td><td>none</td></tr>
 * <tr><td>select</td><td>proportional to the highest fd (three bit sets copied and scanned)</td>
 *     <td>fd &lt; 1024 where the kernel enforces FD_SETSIZE; not on Linux</td></tr>
 * </table>
 */
public enum Backend {
    /** Linux epoll(7). */
    EPOLL("epoll"),
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
     * @return {@code "epoll"}, {@code "poll"} or {@code "select"}
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
            case POLL -> Poll.available();
            case SELECT -> Select.available();
        };
    }

    /**
     * The best backend the platform has: epoll, else poll, else select.
     *
     * @return the preferred backend
     * @throws UnsupportedOperationException when none is available
     */
    public static Backend best() {
        for (Backend b : values()) {
            if (b.isAvailable()) {
                return b;
            }
        }
        throw new UnsupportedOperationException("no event backend (epoll, poll, select) is available on "
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
     * @param name {@code auto}, {@code epoll}, {@code poll} or {@code select} (any case)
     * @return the backend
     * @throws IllegalArgumentException for an unknown name
     */
    public static Backend parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("auto")) {
            return best();
        }
        for (Backend b : values()) {
            if (b.id.equals(n)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "'; choose auto, epoll, poll or select");
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
     * @throws UnsupportedOperationException with the available alternatives when it is not
     */
    public Backend requireAvailable() {
        if (!isAvailable()) {
            throw new UnsupportedOperationException("the " + id + " backend is not available on "
                    + System.getProperty("os.name") + "; available: " + available());
        }
        return this;
    }

    @Override
    public String toString() {
        return id;
    }
}
