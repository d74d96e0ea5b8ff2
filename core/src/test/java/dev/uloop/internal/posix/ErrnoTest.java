package dev.uloop.internal.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.NativeException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ErrnoTest {
    @Test
    void namesAndTexts() {
        assertEquals("EBADF", Errno.name(Errno.EBADF));
        assertEquals("Bad file descriptor", Errno.description(Errno.EBADF));
        assertEquals("EADDRINUSE", Errno.name(Errno.EADDRINUSE));
        assertEquals("ECONNRESET", Errno.name(Errno.ECONNRESET));
    }

    @Test
    void exceptionNamesTheCallTheFdAndTheErrno() {
        NativeException e = new NativeException("epoll_ctl(ADD, fd=12)", Errno.EBADF);
        assertEquals("epoll_ctl(ADD, fd=12): EBADF (Bad file descriptor)", e.getMessage());
        assertEquals("epoll_ctl(ADD, fd=12)", e.call());
        assertEquals(9, e.errno());
    }

    @Test
    void wrappersReturnMinusErrno() {
        try (Arena a = Arena.ofConfined()) {
            assertEquals(-Errno.EBADF, Unistd.read(-1, a.allocate(8), 8));
            assertEquals(-Errno.EBADF, Unistd.close(-1));
            assertEquals(-Errno.EBADF, Epoll.ctl(-1, Epoll.EPOLL_CTL_ADD, 0, a.allocate(Epoll.EVENT)));
        }
    }

    @Test
    @Timeout(30)
    void errnoIsPerThread() throws Exception {
        // Many threads fail with different errnos at once; each must read back its own.
        int threads = 8;
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger wrong = new AtomicInteger();
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            boolean badFd = i % 2 == 0;
            ts[i] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment buf = a.allocate(8);
                    for (int j = 0; j < 20_000; j++) {
                        int r = badFd ? (int) Unistd.read(-1, buf, 8) : Unistd.fcntl(0, 9999, 0);
                        int expected = badFd ? -Errno.EBADF : -Errno.EINVAL;
                        if (r != expected) {
                            wrong.incrementAndGet();
                        }
                    }
                }
            });
            ts[i].start();
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(0, wrong.get());
        assertTrue(Errno.description(Errno.EINVAL).startsWith("Invalid"));
    }
}
