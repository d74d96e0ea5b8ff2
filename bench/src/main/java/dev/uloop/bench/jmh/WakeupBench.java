package dev.uloop.bench.jmh;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * {@link EventLoop#execute} wake-up latency: a loop runs on its own thread, blocked in its
 * kernel wait (no timers, nothing ready); the benchmark thread calls {@code execute(task)}
 * and waits until the task has run on the loop thread. That is one eventfd write, the
 * kernel waking the loop thread, the drain, the task, and the signal back.
 *
 * <p>Before each call the benchmark thread waits (outside the measured time) until the
 * loop has finished the previous round and then {@code pauseMicros} more, so that the
 * loop is asleep in the kernel again, not about to enter it. With {@code -p pauseMicros=0}
 * it measures back-to-back calls instead.
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class WakeupBench {
    @Param({"epoll", "io_uring", "poll", "select"})
    public String backend;

    /** Idle time given to the loop before each measured call, to let it block in the kernel. */
    @Param({"50"})
    public int pauseMicros;

    private EventLoop loop;
    private Thread loopThread;
    private final AtomicLong done = new AtomicLong();   // rounds completed by the loop thread
    private long sent;                                  // rounds started by the benchmark thread
    private final Runnable spinTask = done::incrementAndGet;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        loop = EventLoop.open(Backend.parse(backend));
        loopThread = Thread.ofPlatform().name("uloop-bench-" + backend).daemon().start(loop::run);
        // Wait for the loop to be running: a task only runs once run() has started.
        CompletableFuture<Void> started = new CompletableFuture<>();
        loop.execute(() -> started.complete(null));
        started.join();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        if (loop != null) {
            loop.close();            // stops the loop; it closes once run() returns
            loopThread.join(5_000);
            loop = null;
        }
    }

    /** Outside the measured time: the previous round is over and the loop had time to block. */
    @Setup(Level.Invocation)
    public void settle() {
        while (done.get() != sent) {
            Thread.onSpinWait();
        }
        if (pauseMicros > 0) {
            long until = System.nanoTime() + pauseMicros * 1_000L;
            while (System.nanoTime() - until < 0) {
                Thread.onSpinWait();
            }
        }
    }

    /** {@code execute(task)}; the task completes a CompletableFuture that the caller joins. */
    @Benchmark
    public Object executeFuture() {
        CompletableFuture<Object> f = new CompletableFuture<>();
        loop.execute(() -> {
            f.complete(Boolean.TRUE);
            done.incrementAndGet();
        });
        sent++;
        return f.join();
    }

    /** {@code execute(task)}; the task bumps a counter that the caller spins on. */
    @Benchmark
    public long executeSpin() {
        long target = ++sent;
        loop.execute(spinTask);
        long d;
        while ((d = done.get()) < target) {
            Thread.onSpinWait();
        }
        return d;
    }
}
