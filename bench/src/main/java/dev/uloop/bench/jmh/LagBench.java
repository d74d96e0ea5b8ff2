package dev.uloop.bench.jmh;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
import dev.uloop.internal.util.LagHistogram;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What watching the loop costs:
 * <ul>
 * <li>{@link #recordLag}: one sample into the lag histogram (what each timer and task pays,
 *     always on);</li>
 * <li>{@link #clockRead}: one {@code System.nanoTime()}, what timing a callback costs while
 *     a slow-callback threshold is set (one read per callback);</li>
 * <li>{@link #readStats}: {@code EventLoop.stats()} from another thread (a scrape);</li>
 * <li>{@link #tasks}: {@code execute()} then one loop iteration that runs them, per task,
 *     with the slow-callback threshold off or at 100 ms.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class LagBench {
    /** Tasks queued per loop iteration by {@link #tasks}. */
    static final int BATCH = 100;

    /** The slow-callback threshold in ms for {@link #tasks}; 0 is off. */
    @Param({"0", "100"})
    public int slowMillis;

    private final long[] lags = new long[1024];
    private int next;
    private LagHistogram histogram;
    private EventLoop loop;
    private final Runnable task = () -> { };

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < lags.length; i++) {
            lags[i] = r.nextLong(1, 5_000_000);     // up to 5 ms, spread over many buckets
        }
        histogram = new LagHistogram(System.nanoTime());
        loop = EventLoop.open(Backend.best()).slowCallbackThreshold(Duration.ofMillis(slowMillis));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.close();
    }

    @Benchmark
    public void recordLag() {
        histogram.record(lags[next++ & 1023], 0);
    }

    @Benchmark
    public long clockRead() {
        return System.nanoTime();
    }

    @Benchmark
    public Object readStats() {
        return loop.stats();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void tasks() {
        for (int i = 0; i < BATCH; i++) {
            loop.execute(task);
        }
        loop.stop();
        loop.run();
    }
}
