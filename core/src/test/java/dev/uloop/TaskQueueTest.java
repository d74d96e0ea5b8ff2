package dev.uloop;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.uloop.internal.poller.PollPoller;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.poller.ReadySet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loop's task queue and its wakeup descriptor. */
class TaskQueueTest {

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aWakeupReachesTheWaitAndTheTaskIsTaken() {
        PollPoller poller = new PollPoller();
        TaskQueue q = TaskQueue.open(poller);
        try {
            Runnable task = () -> { };
            q.add(task);
            q.wakeup();
            ReadySet ready = new ReadySet();
            assertEquals(1, poller.poll(5_000, ready), "the wakeup descriptor is ready");
            assertEquals(q.wakeFd(), ready.fd(0));
            q.woken();
            assertEquals(1, q.pending());
            assertSame(task, q.poll());
            assertEquals(0, q.pending());
        } finally {
            q.close();
            poller.close();
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aWakeupAfterCloseDoesNothing() {
        // Another thread may queue a task (a timer cancelled during shutdown) as the loop closes:
        // its wakeup must not fail on the closed descriptor, nor write into a file that took its number.
        PollPoller poller = new PollPoller();
        TaskQueue q = TaskQueue.open(poller);
        int fd = q.wakeFd();
        q.close();
        poller.close();
        try (Fds fds = new Fds()) {
            int[] pipe = fds.pipe();    // the lowest free numbers: the wakeup's old one among them, as a rule
            q.add(() -> { });
            assertDoesNotThrow(q::wakeup);
            assertEquals(-Errno.EAGAIN, Fds.readRaw(pipe[0], 16),
                    "nothing written into a descriptor that took its number (" + fd + ")");
        }
    }
}
