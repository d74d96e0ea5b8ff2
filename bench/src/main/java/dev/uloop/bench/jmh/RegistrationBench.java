package dev.uloop.bench.jmh;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
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
 * Changing interest, per backend: register+unregister and modify on the bare poller (the
 * system calls, or the bit-set/array updates for poll and select), and the same through
 * {@link EventLoop#add}/{@link EventLoop#remove}/{@link EventLoop#modify}, which add the
 * loop's bookkeeping. Each poller holds {@link #BACKGROUND} other registered pipes, so
 * select's highest fd and poll's array are not trivially small.
 *
 * <p>io_uring defers registrations and interest changes to the next wait (they ride on its
 * io_uring_enter), so its {@code registerUnregister} and {@code modify} only touch tables;
 * {@link #registerPollUnregister} and {@link #modifyPoll} include a {@code poll(0)} and
 * compare what a change costs once the kernel has seen it, on every backend.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class RegistrationBench {
    /** Other pipes registered for IN during the benchmark. */
    static final int BACKGROUND = 100;

    @Param({"epoll", "io_uring", "poll", "select"})
    public String backend;

    private Pipes pipes;
    private Poller poller;
    private EventLoop loop;
    private int fd;          // registered and unregistered by the benchmarks
    private int modifyFd;    // registered with the poller, toggled between IN and IN|OUT
    private int loopFd;      // registered with the loop, toggled likewise
    private boolean flip;
    private final ReadySet readySet = new ReadySet();

    @Setup(Level.Trial)
    public void setUp() {
        Backend b = Backend.parse(backend);
        pipes = new Pipes(BACKGROUND + 3);
        poller = Backends.openPoller(b.requireAvailable().id());
        loop = EventLoop.open(b);
        for (int i = 0; i < BACKGROUND; i++) {
            poller.register(pipes.readFd(i), Events.IN);
        }
        fd = pipes.readFd(BACKGROUND);
        modifyFd = pipes.readFd(BACKGROUND + 1);
        loopFd = pipes.readFd(BACKGROUND + 2);
        poller.register(modifyFd, Events.IN);
        loop.add(loopFd, Events.IN, (f, ev) -> { });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (loop != null) {
            loop.close();
            loop = null;
        }
        if (poller != null) {
            poller.close();
            poller = null;
        }
        if (pipes != null) {
            pipes.close();
            pipes = null;
        }
    }

    /** {@code poller.register(fd, IN)} then {@code poller.unregister(fd)}. */
    @Benchmark
    public void registerUnregister() {
        poller.register(fd, Events.IN);
        poller.unregister(fd);
    }

    /** {@code poller.modify}, alternating between IN and IN|OUT so that every call changes something. */
    @Benchmark
    public void modify() {
        flip = !flip;
        poller.modify(modifyFd, flip ? Events.IN | Events.OUT : Events.IN);
    }

    /**
     * {@code poller.register(fd, IN)}, {@code poller.poll(0)} (which arms it on io_uring),
     * then {@code poller.unregister(fd)}: a short-lived registration the kernel really saw.
     */
    @Benchmark
    public int registerPollUnregister() {
        poller.register(fd, Events.IN);
        int n = poller.poll(0, readySet);
        poller.unregister(fd);
        return n;
    }

    /** {@code poller.modify} (IN, IN|OUT alternately) followed by {@code poller.poll(0)}. */
    @Benchmark
    public int modifyPoll() {
        flip = !flip;
        poller.modify(modifyFd, flip ? Events.IN | Events.OUT : Events.IN);
        return poller.poll(0, readySet);
    }

    /** {@code loop.add(fd, IN, handler)} then {@code loop.remove(fd)}. */
    @Benchmark
    public void loopAddRemove() {
        loop.add(fd, Events.IN, RegistrationBench::ignore);
        loop.remove(fd);
    }

    /** {@code loop.modify}, alternating between IN and IN|OUT. */
    @Benchmark
    public void loopModify() {
        flip = !flip;
        loop.modify(loopFd, flip ? Events.IN | Events.OUT : Events.IN);
    }

    private static void ignore(int fd, int events) {
        // never called: the loop does not run
    }
}
