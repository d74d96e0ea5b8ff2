package dev.uloop.internal.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimerQueueTest {
    private final TimerQueue q = new TimerQueue();

    private ScheduledTimer timer(long deadline, List<String> log, String name) {
        return new ScheduledTimer(() -> log.add(name), ScheduledTimer.Mode.ONCE, deadline, 0, q::remove);
    }

    @Test
    void equalDeadlinesComeOutFirstInFirstOut() {
        List<String> log = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            q.add(timer(100, log, "t" + i));
        }
        q.add(timer(50, log, "early"));
        List<String> order = new ArrayList<>();
        ScheduledTimer t;
        while ((t = q.poll()) != null) {
            t.task().run();
        }
        order.add("early");
        for (int i = 0; i < 50; i++) {
            order.add("t" + i);
        }
        assertEquals(order, log);
    }

    @Test
    void randomInsertAndCancelKeepsHeapOrder() {
        Random rnd = new Random(42);
        List<ScheduledTimer> live = new ArrayList<>();
        List<String> log = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            ScheduledTimer t = timer(rnd.nextInt(500) - 250, log, "x");   // negatives: nanoTime may be negative
            q.add(t);
            live.add(t);
            if (rnd.nextInt(3) == 0) {
                ScheduledTimer victim = live.remove(rnd.nextInt(live.size()));
                victim.cancel();
                assertTrue(victim.isCancelled());
            }
        }
        assertEquals(live.size(), q.size());
        long last = Long.MIN_VALUE;
        long lastSeq = -1;
        while (q.size() > 0) {
            ScheduledTimer t = q.poll();
            assertTrue(t.deadline() > last || (t.deadline() == last && TimerQueue.sequence(t) > lastSeq));
            last = t.deadline();
            lastSeq = TimerQueue.sequence(t);
            assertFalse(t.isCancelled());
        }
        assertNull(q.peek());
    }

    @Test
    void orderingSurvivesNanoTimeOverflow() {
        List<String> log = new ArrayList<>();
        ScheduledTimer before = timer(Long.MAX_VALUE - 5, log, "before");
        ScheduledTimer after = timer(Long.MAX_VALUE + 5, log, "after");   // wrapped: later in time
        q.add(after);
        q.add(before);
        assertSame(before, q.poll());
        assertSame(after, q.poll());
    }

    @Test
    void fixedRateSkipsMissedTicksAndStaysOnTheGrid() {
        ScheduledTimer t = new ScheduledTimer(() -> { }, ScheduledTimer.Mode.FIXED_RATE, 1000, 100, q::remove);
        assertTrue(t.advance(1010));          // on time: next tick
        assertEquals(1100, t.deadline());
        assertTrue(t.advance(1455));          // ran late (slow handler): ticks 1200, 1300, 1400 are skipped
        assertEquals(1500, t.deadline());
        assertTrue(t.advance(1600));          // exactly on a tick that is now due: skip to the next
        assertEquals(1700, t.deadline());
    }

    @Test
    void fixedDelayCountsFromTheEndOfTheRun() {
        ScheduledTimer t = new ScheduledTimer(() -> { }, ScheduledTimer.Mode.FIXED_DELAY, 1000, 100, q::remove);
        assertTrue(t.advance(1455));
        assertEquals(1555, t.deadline());
    }

    @Test
    void oneShotDoesNotRepeat() {
        ScheduledTimer t = new ScheduledTimer(() -> { }, ScheduledTimer.Mode.ONCE, 1000, 0, q::remove);
        assertFalse(t.advance(2000));
        assertFalse(t.isPeriodic());
    }
}
