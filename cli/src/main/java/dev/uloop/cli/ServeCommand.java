package dev.uloop.cli;

import dev.uloop.Backend;
import dev.uloop.daemon.Privileges;
import dev.uloop.daemon.SocketActivation;
import dev.uloop.net.InheritedSocket;
import dev.uloop.services.DaytimeFormat;
import dev.uloop.services.Inetd;
import dev.uloop.services.RateLimit;
import dev.uloop.services.Server;
import dev.uloop.services.Service;
import dev.uloop.services.ServiceConfig;
import dev.uloop.services.SourceRateLimiter;
import dev.uloop.services.UnixConfig;
import dev.uloop.sntp.SntpSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code uloop serve echo|daytime|time|sntp}: runs a small service (RFC 862, 867, 868) over
 * TCP and UDP, or an SNTP server (RFC 4330) over UDP, on the event loop or, for comparison,
 * on blocking sockets. Prints one ready line on stdout once listening and stops gracefully,
 * with status 0, on SIGINT, SIGTERM or SIGHUP.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {
            "Serves echo, daytime or time over TCP and UDP, or SNTP over UDP.",
            "Echo is RFC 862, daytime RFC 867 and time RFC 868; SNTP (RFC 4330) is the",
            "server mode of NTP (RFC 5905). Runs on the event loop or, with --blocking, on",
            "blocking JDK sockets. Prints one line once listening, e.g.:",
            "  uloop echo ready: tcp 127.0.0.1:7007, udp 127.0.0.1:7007 (backend epoll)",
            "With --loops N, N event loops on their own threads share the port",
            "(SO_REUSEPORT); the kernel spreads the clients over them.",
        },
        footer = {"",
            "The RFC ports (echo 7, daytime 13, time 37) are privileged (root only), so the",
            "defaults are 7007, 7013 and 7037. Daytime lines end with CRLF. Time is seconds",
            "since 1900 modulo 2^32: it restarts at 0 on 2036-02-07T06:28:16Z, which rdate",
            "reads right. UDP never answers datagrams from ports 7, 13, 19, 37 and 123",
            "(loop protection).",
            "SNTP answers client requests (mode 3) on port 123 by default (root only: use",
            "--port 11123 otherwise), drops every other packet, and with --rate-limit sends",
            "nothing or (--kod) a kiss-o'-death RATE to sources over the limit. A source is",
            "an IPv4 /24 or IPv6 /56 network, as BIND and chrony group clients (see the",
            "--rate-limit-v4-prefix and --rate-limit-v6-prefix options).",
            "As root, --user binds the ports first, then becomes that user for good:",
            "  uloop serve sntp --host 0.0.0.0 --user nobody",
            "Started by a systemd socket unit (LISTEN_FDS), it serves the sockets systemd",
            "bound instead of binding its own, and tells NOTIFY_SOCKET READY=1 once",
            "serving and STOPPING=1 when a stop begins (see docs/operations.md).",
            "With --unix PATH it serves echo, daytime or time on a Unix stream socket (and",
            "with --unix-datagram PATH on a datagram socket), instead of TCP and UDP unless",
            "--tcp or --udp asks for them too; @NAME is a Linux abstract name. The ready",
            "line then shows `unix PATH`. Try: socat - UNIX-CONNECT:PATH, or nc -U PATH.",
            "With --inetd it serves standard input once, as inetd starts a service:",
            "  echo stream tcp nowait nobody /opt/uloop/bin/uloop uloop serve echo --inetd",
            "Signals: SIGINT (Ctrl-C), SIGTERM and SIGHUP stop the server gracefully: it",
            "stops accepting, lets queued writes drain (up to --grace ms), logs one stop",
            "line on stderr and exits with status 0.",
            "Try it: echo hi | nc -w1 127.0.0.1 7007; rdate -p -o 7037 127.0.0.1;",
            "  chronyd -Q -t 5 'server 127.0.0.1 port 11123 iburst'"})
final class ServeCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger("uloop.serve");
    /** How long a shutdown hook waits for the graceful stop, beyond the grace period. */
    private static final long HOOK_SLACK_MILLIS = 3000;
    /** The most event loops --loops takes: far more threads than cores only costs. */
    private static final int MAX_LOOPS = 256;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "echo, daytime, time or sntp.")
    String serviceName;

    @Option(names = "--host", paramLabel = "H", defaultValue = ServiceConfig.DEFAULT_HOST,
            description = "Address to bind (default: ${DEFAULT-VALUE}): 0.0.0.0 for every IPv4 address,"
                    + " :: for every IPv4 and IPv6 address (one dual-stack socket), ::1 for IPv6 loopback.")
    String host;

    @Option(names = "--port", paramLabel = "P",
            description = "Port (default: echo 7007, daytime 7013, time 7037, sntp 123; 0 picks a free one).")
    Integer port;

    @Option(names = "--tcp", description = "Serve TCP (default: TCP and UDP; sntp: UDP only).")
    boolean tcp;

    @Option(names = "--udp", description = "Serve UDP (default: TCP and UDP).")
    boolean udp;

    @Option(names = "--backend", paramLabel = "BACKEND", converter = BackendConverter.class,
            description = "Event loop backend: auto, epoll, io_uring, io_uring-completion (TCP I/O done by the kernel),"
                    + " poll or select (default: auto, the best available; see `uloop backends`).")
    Backend backend;

    @Option(names = "--loops", paramLabel = "N",
            description = "Event loops, each on its own thread, sharing the port with SO_REUSEPORT (default: 1).")
    Integer loops;

    @Option(names = "--spin", paramLabel = "D", converter = DurationConverter.class,
            description = "Latency mode: before each wait in the kernel, every loop polls without waiting for up to D"
                    + " (such as 100us or 1ms): shorter round trips for up to a core of CPU per busy loop; an idle"
                    + " loop still sleeps after D (default: 0, off).")
    Duration spin;

    @Option(names = "--blocking", description = "Serve with blocking JDK sockets, one thread per connection.")
    boolean blocking;

    @Option(names = "--virtual", description = "With --blocking: virtual threads instead of platform threads.")
    boolean virtual;

    @Option(names = "--format", paramLabel = "seed|inetd",
            description = "Daytime format: seed (2020-06-11 13:52:38.709123, default) or inetd (Thu Jun 11 13:52:38 2020).")
    String format;

    @Option(names = "--rate-limit", paramLabel = "N", defaultValue = "0",
            description = "UDP: answer at most N datagrams a second per source address (default: no limit).")
    int rateLimit;

    @Option(names = "--rate-limit-v4-prefix", paramLabel = "BITS",
            description = "With --rate-limit: IPv4 sources in one /BITS network share one limit, 1 to 32"
                    + " (default: ${DEFAULT-VALUE}; 32 limits each address on its own).",
            defaultValue = "" + SourceRateLimiter.DEFAULT_PREFIX4)
    int prefix4;

    @Option(names = "--rate-limit-v6-prefix", paramLabel = "BITS",
            description = "With --rate-limit: IPv6 sources in one /BITS network share one limit, 1 to 128"
                    + " (default: ${DEFAULT-VALUE}, as BIND; an attacker often holds a whole /64).",
            defaultValue = "" + SourceRateLimiter.DEFAULT_PREFIX6)
    int prefix6;

    @Option(names = "--stratum", paramLabel = "N",
            description = "sntp: the stratum to announce, 1 to 15 (default: 10, as chrony's local reference).")
    Integer stratum;

    @Option(names = "--refid", paramLabel = "ID",
            description = "sntp: reference ID, an IPv4 address or 1-4 letters (default: 127.127.1.1, as chrony's"
                    + " local reference; stratum 1 uses a clock name such as GPS).")
    String refId;

    @Option(names = "--kod", description = "sntp with --rate-limit: answer sources over the limit with a"
            + " kiss-o'-death RATE packet (at most one a second each) instead of dropping their requests.")
    boolean kissOfDeath;

    @Option(names = "--grace", paramLabel = "MS", defaultValue = "2000",
            description = "On stop, let queued writes drain this long before closing (default: ${DEFAULT-VALUE}).")
    long graceMillis;

    @Mixin
    TcpLimitOptions tcpLimits;     // --max-connections, --max-per-source, --idle-timeout

    @Option(names = "--user", paramLabel = "NAME",
            description = "Once every port is bound, become this user (needs root), as chronyd -u does.")
    String user;

    @Option(names = "--group", paramLabel = "NAME",
            description = "With --user: this group instead of the user's primary group.")
    String group;

    @Option(names = "--inetd", description = "Serve the socket on standard input once, for inetd, xinetd or"
            + " systemd's Accept=yes: a TCP connection until it closes, or a UDP socket until it is idle.")
    boolean inetd;

    @Option(names = "--idle-exit", paramLabel = "MS",
            description = "With --inetd on a UDP socket: exit after MS without a datagram (default: 10000).")
    Long idleExitMillis;

    @Option(names = "--unix", paramLabel = "PATH", description = "Serve echo, daytime or time on a Unix stream socket"
            + " at PATH (@NAME: a Linux abstract name); only there unless --tcp or --udp is given too. The file is"
            + " made with --unix-mode, replaced if stale (nobody listens), and removed on stop.")
    String unixPath;

    @Option(names = "--unix-datagram", paramLabel = "PATH", description = "Serve echo, daytime or time on a Unix"
            + " datagram socket at PATH (@NAME: abstract), beside --unix or alone; senders need a name of their own.")
    String unixDatagramPath;

    @Option(names = "--unix-mode", paramLabel = "MODE", description = "Permissions of the --unix and --unix-datagram"
            + " socket files, in octal (default: 0660, the owner and its group may connect; 0666: everyone).")
    String unixMode;

    @Mixin
    ObserveOptions observe;     // --metrics, --slow-callback

    @Option(names = {"-v", "--verbose"}, description = "Log every event and connection (DEBUG), and counters every 10 s.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        ServiceConfig config = config();
        Privileges.Identity identity = identity();
        if (inetd) {
            serveInetd(config, identity);
            return 0;
        }
        List<InheritedSocket> activated = activatedSockets(config);
        if (!activated.isEmpty()) {
            config = config.withProtocols(activated.stream().anyMatch(InheritedSocket::isTcp),
                    activated.stream().anyMatch(InheritedSocket::isUdp));
        }
        Logs.configure(verbose);
        try (Daemon daemon = Daemon.open(identity)) {
            Backend b = blocking ? null : backend != null ? backend : Backend.fromProperty().requireAvailable();
            Server server = blocking ? Server.blocking(config, virtual)
                    : Server.onLoop(config, b, loops != null ? loops : 1, activated, unixConfig(config.service()));
            server.start(daemon::dropPrivileges);
            serveUntilStopped(server, config, daemon);
        }
        return 0;
    }

    /** Prints the ready line, tells systemd, and serves until a signal asks for a graceful stop. */
    private void serveUntilStopped(Server server, ServiceConfig config, Daemon daemon) throws InterruptedException {
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        StopSignals.install(stopRequested::countDown);
        StopSignals.installStatus(() -> LOG.log(Level.INFO, "uloop " + config.service().id() + " running; "
                + server.summary()));
        // Other ways out (System.exit, no signal support) still stop gracefully, bounded.
        Thread hook = new Thread(() -> {
            stopRequested.countDown();
            await(stopped, config.grace().toMillis() + HOOK_SLACK_MILLIS);
        }, "uloop-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        PrintWriter out = spec.commandLine().getOut();
        out.println(server.readyLine());
        out.flush();
        daemon.ready(server.readyLine());
        try {
            stopRequested.await();
            daemon.stopping();
            boolean ended = server.stop();
            LOG.log(Level.INFO, "uloop " + config.service().id() + " stopped"
                    + (ended ? "" : " (its threads did not end in time)") + "; " + server.summary());
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down.
            }
        }
    }

    /**
     * The sockets systemd passed (socket activation), checked against the options (bad usage
     * exits with 2) and the service (a mismatch exits with 1); empty when there are none.
     */
    private List<InheritedSocket> activatedSockets(ServiceConfig config) throws IOException {
        List<InheritedSocket> sockets = SocketActivation.sockets();
        if (sockets.isEmpty()) {
            return sockets;
        }
        String why = " (socket activation: LISTEN_FDS=" + sockets.size() + ")";
        if (blocking) {
            throw usage("--blocking cannot serve the sockets systemd passed" + why + ": JDK sockets cannot take"
                    + " over a descriptor; drop --blocking");
        }
        for (String option : List.of("--host", "--port", "--tcp", "--udp", "--unix", "--unix-datagram")) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw usage(option + " conflicts with the sockets systemd passed" + why
                        + ": the socket unit's ListenStream= and ListenDatagram= say where and what to serve");
            }
        }
        Daemon.check(config.service(), sockets);
        return sockets;
    }

    /**
     * --inetd: serves standard input once. Nothing goes to standard output, which is the
     * socket; logs go to standard error, unless that is the socket too (as inetd starts a
     * service), and then nowhere.
     */
    private void serveInetd(ServiceConfig config, Privileges.Identity identity) throws IOException {
        InheritedSocket in;
        try {
            in = InheritedSocket.standardInput();
        } catch (IOException e) {
            throw new IOException("--inetd: " + e.getMessage() + standardInput() + "; inetd, xinetd or a systemd"
                    + " socket with Accept=yes passes the client's socket there", e);
        }
        Logs.configure(verbose);
        if (Logs.stderrIsASocket()) {
            Logs.off();
        }
        Backend b = backend != null ? backend : Backend.fromProperty().requireAvailable();
        Inetd server = new Inetd(config, b, in, Duration.ofMillis(idleExitMillis != null ? idleExitMillis : 10_000));
        Daemon.withoutNotifications(identity).dropPrivileges();
        StopSignals.install(server::stop);
        server.run();
    }

    /** What standard input is, for a message: {@code " (it is /dev/null)"}, {@code " (it is pipe:[123])"}. */
    private static String standardInput() {
        try {
            return " (it is " + java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/0")) + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The identity of --user and --group, looked up before anything is bound (bad usage exits with 2). */
    Privileges.Identity identity() {
        if (user == null) {
            if (group != null) {
                throw usage("--group needs --user (the group to run as, with that user)");
            }
            return null;
        }
        try {
            return Privileges.lookup(user, group);
        } catch (IllegalArgumentException e) {
            throw usage("--user/--group: " + e.getMessage());
        }
    }

    /** Checks the options (bad usage exits with 2) and turns them into a service configuration. */
    ServiceConfig config() {
        Service service;
        try {
            service = Service.parse(serviceName);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (port != null) {
            Ports.check(spec, port);
        }
        if (inetd) {
            for (String option : List.of("--host", "--port", "--tcp", "--udp", "--loops", "--blocking")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw usage("--inetd and " + option + " conflict: with --inetd the socket on standard input"
                            + " is served, on one event loop");
                }
            }
        } else if (idleExitMillis != null) {
            throw usage("--idle-exit needs --inetd (it ends a UDP service inetd started)");
        }
        if (idleExitMillis != null && idleExitMillis < 1) {
            throw usage("--idle-exit must be 1 or more milliseconds, got " + idleExitMillis);
        }
        if (virtual && !blocking) {
            throw usage("--virtual needs --blocking (the event loop uses no thread per connection)");
        }
        if (blocking && backend != null) {
            throw usage("--blocking and --backend conflict: blocking sockets use no event loop backend");
        }
        if (blocking && spin != null) {
            throw usage("--blocking and --spin conflict: --spin makes the event loops poll before they wait;"
                    + " blocking sockets wait in a thread each");
        }
        if (blocking && loops != null) {
            throw usage("--blocking and --loops conflict: blocking sockets use a thread per connection, not event loops");
        }
        if (loops != null && (loops < 1 || loops > MAX_LOOPS)) {
            throw usage("--loops must be 1 to " + MAX_LOOPS + ", got " + loops);
        }
        if (rateLimit < 0) {
            throw usage("--rate-limit must be 0 (no limit) or more, got " + rateLimit);
        }
        for (String option : List.of("--rate-limit-v4-prefix", "--rate-limit-v6-prefix")) {
            if (rateLimit == 0 && spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw usage(option + " needs --rate-limit N (it says which sources share one limit)");
            }
        }
        RateLimit limit;
        try {
            limit = new RateLimit(rateLimit, prefix4, prefix6);
        } catch (IllegalArgumentException e) {
            throw usage("--rate-limit-v4-prefix/--rate-limit-v6-prefix: " + e.getMessage());
        }
        if (graceMillis < 0) {
            throw usage("--grace must be 0 or more milliseconds, got " + graceMillis);
        }
        DaytimeFormat daytime = DaytimeFormat.SEED;
        if (format != null) {
            if (service != Service.DAYTIME) {
                throw usage("--format applies to daytime only, not to " + service.id());
            }
            try {
                daytime = DaytimeFormat.parse(format);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        SntpSettings sntp = sntpSettings(service);
        if (service.udpOnly() && tcp) {
            throw usage(service.id() + " is served over UDP only; drop --tcp");
        }
        boolean both = !tcp && !udp && unixConfig(service) == UnixConfig.NONE;
        return ServiceConfig.of(service)
                .withHost(host)
                .withPort(port != null ? port : service.defaultPort())
                .withProtocols(!service.udpOnly() && (both || tcp), both || udp)
                .withSntp(sntp)
                .withFormat(daytime)
                .withRateLimit(limit)
                .withGrace(Duration.ofMillis(graceMillis))
                .withStatsInterval(verbose ? Duration.ofSeconds(10) : null)
                .withLimits(tcpLimits.limits(spec, service, !service.udpOnly() && (both || tcp), inetd))
                .withSpin(spin != null ? spin : Duration.ZERO)
                .withObservability(observe.settings(blocking ? "--blocking" : inetd ? "--inetd" : null, this::usage));
    }

    private SntpSettings sntpSettings(Service service) {
        if (service != Service.SNTP) {
            String option = stratum != null ? "--stratum" : refId != null ? "--refid" : kissOfDeath ? "--kod" : null;
            if (option != null) {
                throw usage(option + " applies to sntp only, not to " + service.id());
            }
            return SntpSettings.DEFAULT;
        }
        if (kissOfDeath && rateLimit == 0) {
            throw usage("--kod needs --rate-limit N: without a limit no source is ever over it");
        }
        try {
            SntpSettings s = SntpSettings.DEFAULT.withKissOfDeath(kissOfDeath);
            if (stratum != null) {
                s = s.withStratum(stratum);
            }
            return refId != null ? s.withRefId(SntpSettings.parseRefId(refId)) : s;
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /**
     * The Unix sockets of --unix, --unix-datagram and --unix-mode, checked (bad usage exits
     * with 2); {@link UnixConfig#NONE} when none is asked for.
     */
    UnixConfig unixConfig(Service service) {
        if (unixPath == null && unixDatagramPath == null) {
            if (unixMode != null) {
                throw usage("--unix-mode needs --unix or --unix-datagram (it is the socket files' mode)");
            }
            return UnixConfig.NONE;
        }
        String option = unixPath != null ? "--unix" : "--unix-datagram";
        if (service.udpOnly()) {
            throw usage(option + " does not apply to " + service.id() + ", which is served over UDP only");
        }
        if (blocking || inetd) {
            throw usage(option + " and " + (blocking ? "--blocking" : "--inetd") + " conflict: Unix sockets are"
                    + " served on the event loop");
        }
        for (String inet : List.of("--host", "--port")) {
            if (!tcp && !udp && spec.commandLine().getParseResult().hasMatchedOption(inet)) {
                throw usage(inet + " applies to TCP and UDP, which " + option + " alone does not serve; add --tcp"
                        + " or --udp to serve them too");
            }
        }
        try {
            return UnixConfig.parse(unixPath, unixDatagramPath, unixMode);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private static void await(CountDownLatch latch, long millis) {
        try {
            latch.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
