package dev.uloop.cli;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
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

/** {@code uloop example udp-time}: runs the README's example, the seeds' UDP time server. */
@Command(name = "example", mixinStandardHelpOptions = true,
        description = {"Runs the README's example: the seeds' UDP time server on the event loop.",
            "Ask it the time with: echo hi | nc -u -w1 127.0.0.1 3333"})
final class ExampleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The example to run: ${COMPLETION-CANDIDATES}.")
    Name name;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "3333", description = "UDP port (default: ${DEFAULT-VALUE}, as in the seeds).")
    int port;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|epoll|io_uring|poll|select",
            converter = BackendConverter.class,
            description = "Kernel interface to wait on (default: ${DEFAULT-VALUE}: the best available).")
    Backend backend;

    @Option(names = {"-v", "--verbose"}, description = "Log every event (DEBUG).")
    boolean verbose;

    /** The examples there are. */
    enum Name {
        /** The seeds' UDP time server. */
        @SuppressWarnings("checkstyle:constantname") udp_time;

        @Override
        public String toString() {
            return name().replace('_', '-');
        }
    }

    @Override
    public Integer call() {
        Ports.check(spec, port);
        Backend b = backend;
        Logs.configure(verbose);
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
