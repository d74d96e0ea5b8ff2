package dev.uloop.bench.jmh;

import dev.uloop.Backend;
import dev.uloop.Events;
import dev.uloop.internal.poller.Poller;
import dev.uloop.internal.backend.Backends;
import dev.uloop.internal.poller.ReadySet;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.Unistd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * One readiness event the way a server sees it, per backend: a byte arrives on a pipe, a
 * blocking {@code poller.poll(-1)} reports it, the handler reads it all. The pipe is empty
 * between events, so this is the steady state of a connection that is drained each time
 * (where {@link PollerBench} keeps its fds ready). {@code idle} other pipes stay registered
 * and quiet. One operation is write + wait + read: two of the three system calls are the
 * same on every backend.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class EventBench {
    @Param({"epoll", "io_uring", "poll", "select"})
    public String backend;

    @Param({"0", "1000"})
    public int idle;

    private Pipes pipes;
    private Poller poller;
    private Arena arena;
    private MemorySegment buf;
    private int readFd;
    private int writeFd;
    private final ReadySet readySet = new ReadySet();

    @Setup(Level.Trial)
    public void setUp() {
        pipes = new Pipes(idle + 1);
        poller = Backends.openPoller(Backend.parse(backend).requireAvailable().id());
        for (int i = 0; i < idle + 1; i++) {
            poller.register(pipes.readFd(i), Events.IN);
        }
        readFd = pipes.readFd(idle);
        writeFd = pipes.writeFd(idle);
        arena = Arena.ofShared();
        buf = arena.allocate(64);
        if (poller.poll(0, readySet) != 0) {
            throw new IllegalStateException(backend + " reported an empty pipe");
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
            arena.close();
        }
    }

    /** Write one byte, wait until the poller reports it, read it. */
    @Benchmark
    public int event() {
        long w = Unistd.write(writeFd, buf, 1);
        if (w != 1) {
            throw Errors.exception("write(fd=" + writeFd + ")", (int) -w);
        }
        int n = poller.poll(-1, readySet);
        Unistd.read(readFd, buf, buf.byteSize());
        return n;
    }
}
