package dev.uloop.bench.jmh;

import dev.uloop.Backend;
import dev.uloop.Events;
import dev.uloop.internal.poller.Poller;
import dev.uloop.internal.backend.Backends;
import dev.uloop.internal.poller.ReadySet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one non-blocking wait, {@code poller.poll(0, readySet)}, per backend, with
 * {@code fds} registered pipes of which {@code ready} hold one unread byte (level-ready,
 * so every call reports them). epoll and io_uring should track {@code ready}; poll and
 * select track {@code fds}. io_uring re-arms one poll request per reported fd in each call
 * (that is how it stays level-triggered), so its cost per ready fd is the one to compare
 * with epoll's. 5000 pipes are 10000 descriptors: keep the process limit (20000) in mind.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class PollerBench {
    @Param({"epoll", "io_uring", "poll", "select"})
    public String backend;

    @Param({"10", "1000", "5000"})
    public int fds;

    @Param({"1", "10"})
    public int ready;

    private Pipes pipes;
    private Poller poller;
    private final ReadySet readySet = new ReadySet();

    @Setup(Level.Trial)
    public void setUp() {
        pipes = new Pipes(fds);
        poller = Backends.openPoller(Backend.parse(backend).requireAvailable().id());
        for (int i = 0; i < fds; i++) {
            poller.register(pipes.readFd(i), Events.IN);
        }
        pipes.makeReady(ready);
        int n = poller.poll(0, readySet);
        if (n != ready) {
            throw new IllegalStateException(backend + " reported " + n + " ready descriptors, expected " + ready);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (poller != null) {
            poller.close();
            poller = null;
        }
        if (pipes != null) {
            pipes.close();
            pipes = null;
        }
    }

    /** One kernel wait with a zero timeout, and the scan of its results. */
    @Benchmark
    public int poll() {
        return poller.poll(0, readySet);
    }
}
