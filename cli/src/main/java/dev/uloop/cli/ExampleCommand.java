package dev.uloop.cli;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
import dev.uloop.examples.GroupEchoServer;
import dev.uloop.examples.UdpTimeServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code uloop example udp-time|group-echo}: runs one of the README's examples, the seeds'
 * UDP time server or a TCP echo server on a group of event loops.
 */
@Command(name = "example", mixinStandardHelpOptions = true,
        description = {"Runs one of the README's examples:",
            "  udp-time    the seeds' UDP time server on the event loop;",
            "              ask it the time with: echo hi | nc -u -w1 127.0.0.1 3333",
            "  group-echo  a TCP echo server on 127.0.0.1, one event loop per core sharing the",
            "              port (--loops to change); Enter stops it"})
final class ExampleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The example to run: ${COMPLETION-CANDIDATES}.")
    Name name;

    @Option(names = "--host", defaultValue = "0.0.0.0",
            description = "udp-time: address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "3333", description = "Port (default: ${DEFAULT-VALUE}, as in the seeds).")
    int port;

    @Option(names = "--loops", paramLabel = "N", description = "group-echo: event loops (default: one per core).")
    Integer loops;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "BACKEND",
            converter = BackendConverter.class,
            description = "Kernel interface to wait on: auto, epoll, io_uring, io_uring-completion, poll or select"
                    + " (default: ${DEFAULT-VALUE}: the best available).")
    Backend backend;

    @Option(names = {"-v", "--verbose"}, description = "Log every event (DEBUG).")
    boolean verbose;

    /** The examples there are. */
    enum Name {
        /** The seeds' UDP time server. */
        @SuppressWarnings("checkstyle:constantname") udp_time,
        /** A TCP echo server on a group of event loops. */
        @SuppressWarnings("checkstyle:constantname") group_echo;

        @Override
        public String toString() {
            return name().replace('_', '-');
        }
    }

    @Override
    public Integer call() throws Exception {
        Ports.check(spec, port);
        Backend b = backend;
        Logs.configure(verbose);
        if (name == Name.group_echo) {
            int n = loops != null ? loops : Runtime.getRuntime().availableProcessors();
            if (n < 1) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--loops must be 1 or more, got " + n);
            }
            GroupEchoServer.main(new String[] {Integer.toString(port), Integer.toString(n), b.id()});
            return 0;
        }
        try (EventLoop loop = EventLoop.open(b);
             UdpTimeServer server = new UdpTimeServer(loop, new InetSocketAddress(host, port))) {
            loop.every(Duration.ofSeconds(10), () -> System.getLogger("uloop.examples.UdpTimeServer")
                    .log(System.Logger.Level.INFO, loop.stats().toString()));
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                loop.stop();
                try {
                    stopped.await(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "uloop-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            System.out.println("udp-time example listening on " + host + ":" + port + " (udp), backend " + b);
            System.out.flush();
            try {
                loop.run();
            } finally {
                stopped.countDown();
            }
        }
        return 0;
    }
}
