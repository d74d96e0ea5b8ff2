package dev.uloop.bench.jmh;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
import dev.uloop.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * Timers on an {@link EventLoop} driven by the benchmark thread itself (the loop allows
 * calls from the opening thread before and between {@code run()}s):
 * <ul>
 * <li>{@link #scheduleCancel}: a one-shot timer scheduled and cancelled, with
 *     {@code pending} other timers already in the heap;</li>
 * <li>{@link #fire}/{@link #fireBatch}: timers scheduled with {@link Duration#ZERO} and
 *     run by one loop iteration ({@code stop()} then {@code run()}: one zero-timeout
 *     kernel wait, then the due timers), per timer.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TimerBench {
    /** Timers run per loop iteration by {@link #fireBatch}. */
    static final int BATCH = 100;

    /** The loop's backend; {@code auto} is the best one here (timers do not depend on it much). */
    @Param({"auto"})
    public String backend;

    /**
     * Far-future timers in the heap while {@link #scheduleCancel} runs; 15,000 is the heap of
     * a server with 15,000 connections under an idle timeout (one timer each).
     */
    @Param({"0", "1000", "15000"})
    public int pending;

    private EventLoop loop;
    private final List<Timer> background = new ArrayList<>();
    private long fired;
    private final Runnable count = () -> fired++;
    private static final Runnable NOTHING = () -> { };
    private static final Duration LATER = Duration.ofHours(1);

    @Setup(Level.Trial)
    public void setUp() {
        loop = EventLoop.open(Backend.parse(backend));
        for (int i = 0; i < pending; i++) {
            background.add(loop.after(LATER.plusMillis(i), NOTHING));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        background.forEach(Timer::cancel);
        background.clear();
        if (loop != null) {
            loop.close();
            loop = null;
        }
    }

    /** Timers fired so far (for the smoke test). */
    long fired() {
        return fired;
    }

    /** {@code loop.after(1 h, task).cancel()}. */
    @Benchmark
    public Timer scheduleCancel() {
        Timer t = loop.after(LATER, NOTHING);
        t.cancel();
        return t;
    }

    /** One zero-delay timer and one loop iteration to fire it. */
    @Benchmark
    public long fire() {
        loop.after(Duration.ZERO, count);
        loop.stop();
        loop.run();
        return fired;
    }

    /** {@value #BATCH} zero-delay timers fired by one loop iteration; time per timer. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long fireBatch() {
        for (int i = 0; i < BATCH; i++) {
            loop.after(Duration.ZERO, count);
        }
        loop.stop();
        loop.run();
        return fired;
    }
}
