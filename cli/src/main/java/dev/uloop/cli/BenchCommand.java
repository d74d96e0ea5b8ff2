package dev.uloop.cli;

import dev.uloop.Backend;
import dev.uloop.loadgen.BenchResult;
import dev.uloop.loadgen.LoadGenerator;
import dev.uloop.loadgen.LoadSpec;
import dev.uloop.loadgen.ProcSockets;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code uloop bench}: the echo load generator. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Loads an echo server and measures its throughput and round trips.",
            "Reports messages and MB a second, round-trip percentiles and errors: every",
            "reply byte is checked, and a wrong or lost reply counts as an error.",
            "Example: uloop bench --port 7007 --connections 64 --duration 10s"})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "H", defaultValue = "127.0.0.1", description = "Server address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "P", defaultValue = "7007", description = "Server port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--udp", description = "UDP datagrams instead of TCP.")
    boolean udp;

    @Option(names = {"-c", "--connections"}, paramLabel = "N", defaultValue = "64",
            description = "Active connections, 1-10000 (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--idle", paramLabel = "N", defaultValue = "0",
            description = "Extra silent TCP connections, opened first (default: ${DEFAULT-VALUE}).")
    int idle;

    @Option(names = {"-s", "--size"}, paramLabel = "BYTES", defaultValue = "64", description = "Message size in bytes (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--depth", paramLabel = "N", defaultValue = "1",
            description = "Messages in flight per connection: 1 = strict ping-pong, more = pipelined (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "2s", converter = DurationConverter.class,
            description = "Traffic before measuring, e.g. 2s or 500ms (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = {"-d", "--duration"}, paramLabel = "TIME", defaultValue = "5s", converter = DurationConverter.class,
            description = "Measured time (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--connect-rate", paramLabel = "N", defaultValue = "2000",
            description = "Connections opened per second at most (default: ${DEFAULT-VALUE}).")
    int connectRate;

    @Option(names = "--sockperf", description = "Send sockperf's 14-byte header, for sockperf's own server.")
    boolean sockperf;

    @Option(names = "--server-pid", paramLabel = "PID", defaultValue = "0",
            description = "The server's process id: report its CPU time per message (with a"
                    + " warning when that process does not serve the port).")
    long serverPid;

    @Option(names = "--backend", defaultValue = "auto", converter = BackendConverter.class,
            paramLabel = "BACKEND", description = "The generator's own backend: auto, epoll, io_uring, io_uring-completion, poll or select"
                    + " (default: ${DEFAULT-VALUE}).")
    Backend backend;

    @Option(names = "--label", paramLabel = "TEXT", description = "Name of the target in the output (default: host:port).")
    String label;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table", description = "Output: table, json or csv (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-q", "--quiet"}, description = "No progress line.")
    boolean quiet;

    @Override
    public Integer call() {
        Ports.check(spec, port);
        if (!List.of("table", "json", "csv").contains(format)) {
            throw new ParameterException(spec.commandLine(), "--format must be table, json or csv, not " + format);
        }
        LoadSpec load;
        try {
            load = new LoadSpec(new InetSocketAddress(host, port), udp, connections, idle, size, depth, warmup,
                    duration, connectRate, sockperf, serverPid, backend);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (load.target().isUnresolved()) {
            throw new ParameterException(spec.commandLine(), "cannot resolve host " + host);
        }
        PrintWriter err = spec.commandLine().getErr();
        if (serverPid > 0) {
            // A wrong pid would report another program's CPU time as the server's: say so, go on.
            ProcSockets.notServing(serverPid, port, udp).ifPresent(why -> {
                err.println("uloop: warning: --server-pid: " + why);
                err.flush();
            });
        }
        boolean live = System.console() != null;
        BenchResult r = new LoadGenerator(load).run(label != null ? label : host + ":" + port, line -> {
            if (!quiet) {
                err.print(live ? "\r" + line + "   " : line + System.lineSeparator());
                err.flush();
            }
        });
        if (!quiet && live) {
            err.println();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(switch (format) {
            case "json" -> BenchResult.json(List.of(r));
            case "csv" -> BenchResult.csv(List.of(r));
            default -> BenchResult.table(List.of(r));
        });
        out.flush();
        return r.errors() == 0 ? 0 : 1;
    }
}
