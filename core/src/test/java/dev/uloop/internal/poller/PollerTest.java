package dev.uloop.internal.poller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.Events;
import dev.uloop.Fds;
import dev.uloop.internal.backend.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PollerTest {
    @Test
    void selectRefusesFdsAboveAStrictKernelsLimit() {
        try (Poller p = new SelectPoller(1024); Fds fds = new Fds()) {
            int high = fds.dupAtOrAbove(fds.pipe()[0], 1500);   // open: a closed fd is EBADF before any limit
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> p.register(high, Events.IN));
            assertTrue(e.getMessage().contains("fd " + high), e.getMessage());
            assertTrue(e.getMessage().contains("poll") && e.getMessage().contains("epoll"), e.getMessage());
            assertEquals(0, p.size());
            int[] pipe = fds.pipe();
            p.register(pipe[0], Events.IN);           // below the limit: fine
            assertEquals(1, p.size());
        }
    }

    @Test
    void pipeWakerWakesAndDrains() {
        checkWaker(Waker.openPipe());
    }

    @Test
    void eventFdWakerWakesAndDrains() {
        checkWaker(Waker.openEventFd());
    }

    private static void checkWaker(Waker w) {
        try (w; Poller p = Backends.openPoller("poll")) {
            ReadySet out = new ReadySet();
            p.register(w.fd(), Events.IN);
            assertEquals(0, p.poll(0, out));
            Thread t = new Thread(() -> {
                w.wakeup();
                w.wakeup();
            });
            t.start();
            assertEquals(1, p.poll(10_000, out));      // returns as soon as the other thread writes
            assertEquals(w.fd(), out.fd(0));
            w.drain();
            assertEquals(0, p.poll(0, out));
        }
    }

    @Test
    void epollResultArrayGrowsWhenFull() {
        try (Poller p = Backends.openPoller("epoll"); Fds fds = new Fds()) {
            ReadySet out = new ReadySet();
            int n = 200;                               // more than the initial 64 result slots
            for (int i = 0; i < n; i++) {
                int[] pipe = fds.pipe();
                p.register(pipe[1], Events.OUT);       // always writable
            }
            int total = 0;
            for (int round = 0; round < 3; round++) {
                total = p.poll(0, out);
            }
            assertEquals(n, total, "after growing, one wait returns every ready fd");
        }
    }
}
