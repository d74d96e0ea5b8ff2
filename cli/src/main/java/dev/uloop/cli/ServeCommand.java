package dev.uloop.cli;

import dev.uloop.Backend;
import dev.uloop.services.DaytimeFormat;
import dev.uloop.services.Server;
import dev.uloop.services.Service;
import dev.uloop.services.ServiceConfig;
import java.io.PrintWriter;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code uloop serve echo|daytime|time}: runs a small service (RFC 862, 867, 868) over TCP
 * and UDP, on the event loop or, for comparison, on blocking sockets. Prints one ready line
 * on stdout once listening and stops gracefully, with status 0, on SIGINT or SIGTERM.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Serves echo (RFC 862), daytime (RFC 867) or time (RFC 868) over TCP and UDP.",
            "Prints one line once listening, e.g.:",
            "  uloop echo ready: tcp 127.0.0.1:7007, udp 127.0.0.1:7007 (backend epoll)",
            "and stops gracefully on SIGINT (Ctrl-C) or SIGTERM."},
        footer = {"",
            "The RFC ports (echo 7, daytime 13, time 37) are privileged (root only), so the",
            "defaults are 7007, 7013 and 7037. Daytime lines end with CRLF. Time is seconds",
            "since 1900 modulo 2^32: it restarts at 0 on 2036-02-07T06:28:16Z, which rdate",
            "reads right. UDP never answers datagrams from ports 7, 13, 19, 37 and 123",
            "(loop protection).",
            "Try it: echo hi | nc -w1 127.0.0.1 7007; rdate -p -o 7037 127.0.0.1"})
final class ServeCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger("uloop.serve");
    /** How long a shutdown hook waits for the graceful stop, beyond the grace period. */
    private static final long HOOK_SLACK_MILLIS = 3000;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "echo, daytime or time.")
    String serviceName;

    @Option(names = "--host", paramLabel = "H", defaultValue = ServiceConfig.DEFAULT_HOST,
            description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 or :: for all).")
    String host;

    @Option(names = "--port", paramLabel = "P",
            description = "Port (default: echo 7007, daytime 7013, time 7037; 0 picks a free one).")
    Integer port;

    @Option(names = "--tcp", description = "Serve TCP (default: TCP and UDP).")
    boolean tcp;

    @Option(names = "--udp", description = "Serve UDP (default: TCP and UDP).")
    boolean udp;

    @Option(names = "--backend", paramLabel = "auto|epoll|io_uring|poll|select", converter = BackendConverter.class,
            description = "Event loop backend (default: auto, the best available).")
    Backend backend;

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

    @Option(names = "--grace", paramLabel = "MS", defaultValue = "2000",
            description = "On stop, let queued writes drain this long before closing (default: ${DEFAULT-VALUE}).")
    long graceMillis;

    @Option(names = {"-v", "--verbose"}, description = "Log every event and connection (DEBUG), and counters every 10 s.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        ServiceConfig config = config();
        Logs.configure(verbose);
        Server server = blocking ? Server.blocking(config, virtual)
                : Server.onLoop(config, backend != null ? backend : Backend.fromProperty().requireAvailable());
        server.start();

        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        StopSignals.install(stopRequested::countDown);
        // Other ways out (SIGHUP, System.exit, no signal support) still stop gracefully, bounded.
        Thread hook = new Thread(() -> {
            stopRequested.countDown();
            await(stopped, config.grace().toMillis() + HOOK_SLACK_MILLIS);
        }, "uloop-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        PrintWriter out = spec.commandLine().getOut();
        out.println(server.readyLine());
        out.flush();
        try {
            stopRequested.await();
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
        return 0;
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
        if (virtual && !blocking) {
            throw usage("--virtual needs --blocking (the event loop uses no thread per connection)");
        }
        if (blocking && backend != null) {
            throw usage("--blocking and --backend conflict: blocking sockets use no event loop backend");
        }
        if (rateLimit < 0) {
            throw usage("--rate-limit must be 0 (no limit) or more, got " + rateLimit);
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
        boolean both = !tcp && !udp;
        return ServiceConfig.of(service)
                .withHost(host)
                .withPort(port != null ? port : service.defaultPort())
                .withProtocols(both || tcp, both || udp)
                .withFormat(daytime)
                .withRateLimit(rateLimit)
                .withGrace(Duration.ofMillis(graceMillis))
                .withStatsInterval(verbose ? Duration.ofSeconds(10) : null);
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
