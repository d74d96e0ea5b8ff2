package dev.uloop.bench.compare;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The servers of the comparison, in the order they run and appear in tables and charts. */
public final class Servers {
    private Servers() {}

    /** The Java servers' ready line: {@code uloop echo ready: tcp ...} or {@code ready: tcp ...}. */
    static final Pattern JAVA_READY = Pattern.compile("ready: (tcp|udp) ");
    /** sockperf's last start-up line: {@code using epoll() to block on socket(s)}. */
    static final Pattern SOCKPERF_READY = Pattern.compile("using \\S+ to block on socket");
    /** The seed servers' ready line: {@code seed select echo ready: tcp 127.0.0.1:PORT}. */
    static final Pattern SEED_READY = Pattern.compile("^seed \\S+ echo ready: (tcp|udp) ");
    /** The seed servers, by the multiplexer each is built on. */
    static final List<String> SEEDS = List.of("select", "poll", "epoll");

    /**
     * The catalogue, with the seeds' Python servers when {@code python3} is on PATH and
     * {@code bench/seeds} is found.
     *
     * @param java      the java launcher for the Java servers
     * @param classPath their class path (uloop's CLI, the bench module, Netty)
     * @param sockperf  the sockperf binary, or null when it is not installed (its servers are left out)
     * @return the servers
     */
    public static List<ServerDef> all(Path java, String classPath, Path sockperf) {
        return all(java, classPath, sockperf, onPath("python3"), seedsDir());
    }

    /**
     * The catalogue.
     *
     * @param java      the java launcher for the Java servers
     * @param classPath their class path (uloop's CLI, the bench module, Netty)
     * @param sockperf  the sockperf binary, or null when it is not installed (its servers are left out)
     * @param python    python3, or null when it is not installed (the seed servers are left out)
     * @param seeds     the folder of the seed servers' scripts ({@code bench/seeds}), or null (left out too)
     * @return the servers
     */
    public static List<ServerDef> all(Path java, String classPath, Path sockperf, Path python, Path seeds) {
        List<ServerDef> list = new ArrayList<>();
        for (String backend : List.of("epoll", "io_uring", "io_uring-completion", "poll", "select")) {
            list.add(uloop("uloop-" + backend, "uloop event loop, backend " + backend
                    + (backend.endsWith("completion") ? " (TCP: the kernel accepts, receives and sends)" : ""),
                    java, classPath, List.of("--backend", backend)));
        }
        list.add(uloop("uloop-epoll-2loops", "uloop, two event loops on epoll sharing the port (SO_REUSEPORT)",
                java, classPath, List.of("--backend", "epoll", "--loops", "2")));
        // 200 us: above the one-connection round trip on loopback (p50 30-55 us, p99 60-80 us on a
        // quiet machine), so that the loop is still spinning when the next message comes; an idle
        // server still sleeps after 200 us.
        list.add(uloop("uloop-epoll-spin", "uloop on epoll in latency mode: polls without waiting for up to 200 us"
                + " before each wait (--spin), a core's CPU for round-trip time",
                java, classPath, List.of("--backend", "epoll", "--spin", "200us")));
        list.add(uloop("uloop-blocking", "uloop --blocking: JDK blocking sockets, a platform thread per connection",
                java, classPath, List.of("--blocking")));
        list.add(uloop("uloop-virtual", "uloop --blocking --virtual: JDK blocking sockets, a virtual thread per connection",
                java, classPath, List.of("--blocking", "--virtual")));
        for (String transport : List.of("epoll", "io_uring", "nio")) {
            list.add(new ServerDef("netty-" + transport, "netty",
                    "Netty 4.2, one event loop thread, " + transport + " transport", false, JAVA_READY,
                    (port, udp, opts, dir) -> javaCommand(java, classPath, nettyOpts(java, opts),
                            "dev.uloop.bench.servers.NettyEchoServer", "--port", Integer.toString(port),
                            udp ? "--udp" : "--tcp", "--transport", transport)));
        }
        list.add(new ServerDef("jdk-nio", "jdk", "plain JDK NIO: one thread, one Selector", false, JAVA_READY,
                (port, udp, opts, dir) -> javaCommand(java, classPath, opts, "dev.uloop.bench.servers.NioEchoServer",
                        "--port", Integer.toString(port), udp ? "--udp" : "--tcp")));
        if (sockperf != null) {
            for (String mux : List.of("epoll", "poll", "select")) {
                list.add(new ServerDef("sockperf-" + mux, "sockperf", "sockperf's C server, -F " + mux, true,
                        SOCKPERF_READY, (port, udp, opts, dir) -> {
                            // sockperf takes -F only with a feed file: one line, protocol:address:port.
                            Path feed = dir.resolve("sockperf-" + port + ".feed");
                            Files.writeString(feed, (udp ? "U" : "T") + ":127.0.0.1:" + port + "\n");
                            return List.of(sockperf.toString(), "server", "-f", feed.toString(), "-F", mux);
                        }));
            }
        }
        if (python != null && seeds != null) {
            for (String mux : SEEDS) {
                Path script = seeds.resolve(mux + "_echo.py");
                list.add(new ServerDef("seed-" + mux, "seeds", "the seeds' approach in Python: " + switch (mux) {
                    case "select" -> "a select.select reactor (dies past descriptor 1023)";
                    case "poll" -> "a select.poll loop";
                    default -> "a level-triggered select.epoll loop";
                } + ", bench/seeds/" + script.getFileName(), false, SEED_READY,
                        (port, udp, opts, dir) -> List.of(python.toString(), script.toString(), "--host", "127.0.0.1",
                                "--port", Integer.toString(port), udp ? "--udp" : "--tcp")));
            }
        }
        return list;
    }

    /**
     * The folder of the seed servers' scripts: {@code bench/seeds} from the repository root
     * (where {@code bench/compare} runs), or {@code seeds} from the bench module's.
     *
     * @return its absolute path, or null when neither holds {@code select_echo.py}
     */
    public static Path seedsDir() {
        for (String dir : List.of("bench/seeds", "seeds")) {
            Path p = Path.of(dir).toAbsolutePath();
            if (Files.isRegularFile(p.resolve("select_echo.py"))) {
                return p;
            }
        }
        return null;
    }

    private static ServerDef uloop(String id, String description, Path java, String classPath, List<String> mode) {
        return new ServerDef(id, "uloop", description, false, JAVA_READY, (port, udp, opts, dir) -> {
            List<String> args = new ArrayList<>(List.of("serve", "echo", "--host", "127.0.0.1",
                    "--port", Integer.toString(port), udp ? "--udp" : "--tcp"));
            args.addAll(mode);
            return javaCommand(java, classPath, opts, "dev.uloop.cli.Main", args.toArray(String[]::new));
        });
    }

    /**
     * Netty 4.2 leaves sun.misc.Unsafe alone on JDK 25+ unless the JVM allows it; allow it
     * (where the option exists) so that Netty runs its usual, fastest buffer code.
     */
    private static List<String> nettyOpts(Path java, List<String> opts) {
        List<String> all = new ArrayList<>(opts);
        if (Jvm.featureVersion(java) >= 23) {
            all.add("--sun-misc-unsafe-memory-access=allow");
        }
        return all;
    }

    static List<String> javaCommand(Path java, String classPath, List<String> opts, String main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java.toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(opts);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(main);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Finds a program on PATH.
     *
     * @param name the program
     * @return its path, or null
     */
    public static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Keeps the servers whose id is in a comma-separated list (or all for null or "all").
     *
     * @param all    the catalogue
     * @param filter e.g. {@code uloop-epoll,netty-epoll}; an id may end with {@code *}
     * @return the chosen ones, in catalogue order
     * @throws IllegalArgumentException for a name that matches none
     */
    public static List<ServerDef> select(List<ServerDef> all, String filter) {
        if (filter == null || filter.isBlank() || filter.equalsIgnoreCase("all")) {
            return all;
        }
        List<String> wanted = List.of(filter.toLowerCase(Locale.ROOT).split("\\s*,\\s*"));
        for (String w : wanted) {
            if (all.stream().noneMatch(s -> matches(s.id(), w))) {
                throw new IllegalArgumentException("no server '" + w + "'; choose from "
                        + String.join(", ", all.stream().map(ServerDef::id).toList()));
            }
        }
        return all.stream().filter(s -> wanted.stream().anyMatch(w -> matches(s.id(), w))).toList();
    }

    static boolean matches(String id, String pattern) {
        return pattern.endsWith("*") ? id.startsWith(pattern.substring(0, pattern.length() - 1)) : id.equals(pattern);
    }
}
