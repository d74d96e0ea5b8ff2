package dev.uloop.cli;

import dev.uloop.Backend;
import dev.uloop.examples.BlockingTimeServer;
import dev.uloop.examples.EchoServer;
import dev.uloop.examples.GroupEchoServer;
import dev.uloop.examples.PipeEvents;
import dev.uloop.examples.TcpTimeServer;
import dev.uloop.examples.UdpTimeServer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code uloop example NAME}: runs one of the seeds' programs of the examples project
 * ({@code examples/}), in this process, until Ctrl-C (SIGINT), SIGTERM or SIGHUP, which
 * stop it with a stop line and exit status 0, as {@code uloop serve} does.
 */
@Command(name = "example", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {
            "Runs one of the examples project's programs until Ctrl-C.",
            "Each is one of the seeds' programs as written in examples/ in the source tree;",
            "the servers listen on 127.0.0.1:",
            "  udp-time       the UDP time server (port 3333)",
            "  tcp-time       the TCP time server, as lambdas (port 3334)",
            "  echo           the TCP echo server with a queue per connection (port 3335)",
            "  blocking-time  the blocking time server, one client at a time (port 3336)",
            "  pipe-events    the loop at the descriptor level: a pipe, a handler, a timer",
            "  group-echo     a TCP echo server on one event loop per core (port 7007)",
        },
        footer = {
            "",
            "Ctrl-C (SIGINT), SIGTERM or SIGHUP stops the program: a stop line, exit 0.",
            "Try it: echo hi | nc -u -w1 127.0.0.1 3333; echo hi | nc -N 127.0.0.1 3334",
        })
final class ExampleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** A program's main method. */
    @FunctionalInterface
    interface Program {
        void main(String[] args) throws Throwable;
    }

    /** The examples there are. */
    enum Name {
        @SuppressWarnings("checkstyle:constantname") udp_time(UdpTimeServer::main),
        @SuppressWarnings("checkstyle:constantname") tcp_time(TcpTimeServer::main),
        @SuppressWarnings("checkstyle:constantname") echo(EchoServer::main),
        @SuppressWarnings("checkstyle:constantname") blocking_time(BlockingTimeServer::main),
        @SuppressWarnings("checkstyle:constantname") pipe_events(PipeEvents::main),
        @SuppressWarnings("checkstyle:constantname") group_echo(GroupEchoServer::main);

        final Program program;

        Name(Program program) {
            this.program = program;
        }

        @Override
        public String toString() {
            return name().replace('_', '-');
        }
    }

    @Parameters(index = "0", paramLabel = "NAME", converter = NameConverter.class,
            description = "The example: ${COMPLETION-CANDIDATES}.")
    Name name;

    @Option(names = "--port", paramLabel = "PORT", description = "Port (default: the example's own, above).")
    Integer port;

    @Option(names = "--backend", paramLabel = "BACKEND", converter = BackendConverter.class,
            description = "The event backend: auto, epoll, io_uring, io_uring-completion, poll or select"
                    + " (default: auto).")
    Backend backend;

    @Option(names = "--loops", paramLabel = "N", description = "group-echo: event loops (default: one per core).")
    Integer loops;

    @Option(names = {"-v", "--verbose"}, description = "Log every event (DEBUG).")
    boolean verbose;

    /**
     * Parses an example name the way the help spells it. An unknown name is bad usage said
     * as an unknown service is: {@code unknown example 'x'; choose udp-time, tcp-time, ...}
     * (Main drops picocli's "Invalid value for positional parameter" before it).
     */
    static final class NameConverter implements picocli.CommandLine.ITypeConverter<Name> {
        @Override
        public Name convert(String value) {
            for (Name n : Name.values()) {
                if (n.toString().equals(value)) {
                    return n;
                }
            }
            List<String> names = new ArrayList<>();
            for (Name n : Name.values()) {
                names.add(n.toString());
            }
            throw new picocli.CommandLine.TypeConversionException("unknown example '" + value + "'; choose "
                    + String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast());
        }
    }

    @Override
    public Integer call() throws Exception {
        if (port != null) {
            Ports.check(spec, port);
        }
        if (loops != null && (name != Name.group_echo || loops < 1)) {
            throw new ParameterException(spec.commandLine(), name != Name.group_echo
                    ? "--loops applies to group-echo only" : "--loops must be 1 or more, got " + loops);
        }
        Logs.configure(verbose);
        String[] args = arguments();
        CountDownLatch stop = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        Thread program = Thread.ofPlatform().name("example-" + name).daemon(true).start(() -> {
            try {
                name.program.main(args);
            } catch (Throwable t) {
                failure[0] = t;
            } finally {
                stop.countDown();
            }
        });
        StopSignals.install(stop::countDown);
        stop.await();
        if (failure[0] != null) {
            throw failure[0] instanceof Exception e ? e : new IllegalStateException(failure[0]);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("uloop example " + name + (program.isAlive() ? " stopped" : " ended"));
        out.flush();
        return 0;
    }

    /** What the example's main takes: the port, then what else it takes. */
    private String[] arguments() {
        List<String> a = new ArrayList<>();
        if (name == Name.pipe_events) {
            return new String[0];
        }
        a.add(port != null ? port.toString() : switch (name) {
            case udp_time -> "3333";
            case tcp_time -> "3334";
            case echo -> "3335";
            case blocking_time -> "3336";
            default -> "7007";
        });
        if (name == Name.group_echo) {
            a.add(Integer.toString(loops != null ? loops : Runtime.getRuntime().availableProcessors()));
        }
        if (name != Name.blocking_time) {
            a.add((backend != null ? backend : Backend.fromProperty()).id());
        } else if (backend != null) {
            throw new ParameterException(spec.commandLine(), "--backend does not apply to blocking-time:"
                    + " blocking sockets use no event loop");
        }
        return a.toArray(String[]::new);
    }
}
