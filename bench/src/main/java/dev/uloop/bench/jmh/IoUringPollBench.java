package dev.uloop.bench.jmh;

import dev.uloop.Events;
import dev.uloop.internal.uring.IoUringRing;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.IoUring;
import dev.uloop.internal.posix.Unistd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * Is a multishot poll worth it? One readiness event on a bare io_uring ring, per mode: write
 * a byte into a pipe, {@code io_uring_enter} until the poll's completion is there, consume
 * it, read the byte. {@code oneshot} then queues a fresh POLL_ADD, submitted with the next
 * wait (what the io_uring backend does for every report); {@code multishot} keeps one
 * IORING_POLL_ADD_MULTI request armed and queues nothing. The difference is the most a
 * multishot design could save per event. To stay level-triggered it would still need a
 * re-check after every report: {@code multishot-update} does it with a poll update of the
 * armed request (same events), which the kernel evaluates like a new poll.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class IoUringPollBench {
    @Param({"oneshot", "multishot", "multishot-update"})
    public String mode;

    private IoUringRing ring;
    private Arena arena;
    private MemorySegment buf;
    private int readFd;
    private int writeFd;
    private boolean multishot;
    private boolean update;

    @Setup(Level.Trial)
    public void setUp() {
        multishot = mode.startsWith("multishot");
        update = mode.equals("multishot-update");
        arena = Arena.ofShared();
        buf = arena.allocate(8);
        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        int r = Unistd.pipe2(fds, Unistd.O_NONBLOCK | Unistd.O_CLOEXEC);
        if (r < 0) {
            throw Errors.exception("pipe2", -r);
        }
        readFd = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
        writeFd = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
        ring = new IoUringRing(8, 16, true);
        ring.pollAdd(readFd, Events.IN, 1, multishot);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (ring != null) {
            ring.close();
            ring = null;
            Unistd.close(readFd);
            Unistd.close(writeFd);
            arena.close();
        }
    }

    /** One event: write, wait for the completion (submitting the re-arm in one-shot mode), reap, read. */
    @Benchmark
    public int event() {
        Unistd.write(writeFd, buf, 1);
        int res = 0;
        while (res == 0) {
            int r = ring.submitAndWait(-1);
            if (r < 0 && r != -dev.uloop.internal.posix.Errno.EINTR) {
                throw Errors.exception("io_uring_enter", -r);
            }
            int head = ring.cqHead();
            int tail = ring.cqTail();
            for (; head != tail; head++) {
                if (ring.userData(head) == 1 && ring.res(head) > 0) {
                    res |= ring.res(head);
                }
            }
            ring.cqAdvance(head);
        }
        Unistd.read(readFd, buf, 8);
        if (!multishot) {
            ring.pollAdd(readFd, Events.IN, 1, false);
        } else if (update) {
            // the re-check a level-triggered multishot design needs after each report
            ring.pollUpdate(1, Events.IN, true, -1L, IoUring.IOSQE_CQE_SKIP_SUCCESS);
        }
        return res;
    }
}
