package dev.uloop.internal.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.internal.poller.Poller;
import dev.uloop.internal.poller.ReadySet;
import dev.uloop.Backend;
import dev.uloop.Events;
import dev.uloop.Fds;
import dev.uloop.internal.posix.SockAddr;
import dev.uloop.internal.posix.Socket;
import dev.uloop.internal.posix.Unistd;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the io_uring poller must get right beyond the loop contract: level-triggering from one-shot polls, stale completions, scale. */
@Timeout(60)
class IoUringPollerTest {
    private Fds fds;
    private final ReadySet out = new ReadySet();

    @BeforeEach
    void open() {
        assumeTrue(Backend.IO_URING.isAvailable(),
                () -> "io_uring is not available here: " + Backend.IO_URING.unavailableReason().orElse(""));
        fds = new Fds();
    }

    @AfterEach
    void close() {
        if (fds != null) {
            fds.close();
        }
    }

    private static List<String> reported(ReadySet rs) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < rs.size(); i++) {
            l.add(rs.fd(i) + ":" + Events.toString(rs.events(i) & Events.INTEREST));
        }
        return l;
    }

    @Test
    void aDescriptorLeftReadableIsReportedAgainOnEveryWait() {
        try (IoUringPoller p = new IoUringPoller()) {
            int[] pipe = fds.pipe();
            p.register(pipe[0], Events.IN);
            assertEquals(0, p.poll(0, out));
            Fds.write(pipe[1], new byte[] {1, 2, 3});
            for (int i = 0; i < 5; i++) {
                // Nothing is read: each wait must say IN again, also a blocking one (returns at once).
                p.poll(i % 2 == 0 ? 0 : 10_000, out);
                assertEquals(List.of(pipe[0] + ":IN"), reported(out), "wait " + i);
            }
            assertEquals(1, Fds.read(pipe[0], 1).length);     // partly read: still readable
            assertEquals(1, p.poll(0, out));
            assertEquals(2, Fds.read(pipe[0], 10).length);    // drained
            assertEquals(0, p.poll(0, out));
            long t0 = System.nanoTime();
            assertEquals(0, p.poll(30, out));
            assertTrue(System.nanoTime() - t0 >= 30_000_000L, "a timed wait with nothing ready lasts its time");
        }
    }

    @Test
    void interestZeroKeepsTheDescriptorRegisteredButUnwatched() {
        try (IoUringPoller p = new IoUringPoller()) {
            int[] s = fds.socketpair();
            int[] t = fds.socketpair();
            p.register(s[0], Events.IN);
            p.register(t[0], Events.NONE);
            assertEquals(2, p.size());
            assertEquals(0, p.poll(0, out));                   // arms s[0]
            p.modify(s[0], Events.NONE);                       // removes its request
            fds.close(s[1]);                                   // HUP on s[0]: reported forever if watched
            fds.close(t[1]);
            for (int i = 0; i < 3; i++) {
                assertEquals(0, p.poll(0, out));
            }
            long t0 = System.nanoTime();
            assertEquals(0, p.poll(20, out));
            assertTrue(System.nanoTime() - t0 >= 20_000_000L, "parked descriptors must not end the wait");
            p.modify(s[0], Events.IN);
            p.poll(0, out);
            assertEquals(List.of(s[0] + ":IN|RDHUP"), reported(out));
            p.modify(t[0], Events.IN);
            assertEquals(2, p.poll(0, out));
            p.unregister(s[0]);
            p.unregister(t[0]);
            assertEquals(0, p.size());
        }
    }

    @Test
    void staleCompletionOfAnUnregisteredNumberIsIgnored() {
        try (IoUringPoller p = new IoUringPoller()) {
            int[] a = fds.pipe();
            p.register(a[0], Events.IN);
            assertEquals(0, p.poll(0, out));                   // A's request is armed
            Fds.write(a[1], new byte[] {1});                   // ... and completes
            p.unregister(a[0]);                                // (its removal comes too late)
            IoUringRing ring = p.ring();
            // A's completion, and the failed removal's own (ENOENT/EALREADY), wait in the CQ ring.
            assertTrue(ring.cqTail() - ring.cqHead() >= 1, "test precondition: A's completion waits in the CQ ring");
            fds.close(a[0]);
            fds.close(a[1]);
            int[] b = fds.pipe();
            assertEquals(a[0], b[0], "test precondition: the number is reused");
            p.register(b[0], Events.IN);
            assertEquals(0, p.poll(0, out), "A's completion must not be reported for B: " + reported(out));
            Fds.write(b[1], new byte[] {2});
            p.poll(10_000, out);
            assertEquals(List.of(b[0] + ":IN"), reported(out));
        }
    }

    @Test
    void reRegisteredReadyNumberIsReportedOnceNotTwice() {
        try (IoUringPoller p = new IoUringPoller()) {
            int[] a = fds.pipe();
            p.register(a[0], Events.IN);
            assertEquals(0, p.poll(0, out));
            Fds.write(a[1], new byte[] {1});
            p.unregister(a[0]);
            fds.close(a[0]);
            fds.close(a[1]);
            int[] b = fds.pipe();
            assertEquals(a[0], b[0], "test precondition: the number is reused");
            Fds.write(b[1], new byte[] {2});
            p.register(b[0], Events.IN);
            p.poll(0, out);
            assertEquals(List.of(b[0] + ":IN"), reported(out), "the new registration, once");
        }
    }

    @Test
    void twoThousandSocketpairs() {
        int n = 2000;                                          // 4000 descriptors; 2000 requests, 8 SQ rings' worth
        try (IoUringPoller p = new IoUringPoller()) {
            int[][] pairs = new int[n][];
            for (int i = 0; i < n; i++) {
                pairs[i] = fds.socketpair();
                p.register(pairs[i][0], Events.IN);
            }
            assertEquals(n, p.size());
            assertEquals(0, p.poll(0, out));                   // 2000 POLL_ADDs: several submits of 256
            BitSet expected = new BitSet();
            for (int i = 0; i < n; i += 3) {
                Fds.write(pairs[i][1], new byte[] {7});
                expected.set(pairs[i][0]);
            }
            for (int round = 0; round < 3; round++) {          // not read: the same set each time
                assertEquals(expected, collect(p, expected.cardinality()), "round " + round);
            }
            for (int i = 0; i < n; i += 3) {
                Fds.read(pairs[i][0], 10);
            }
            assertEquals(0, p.poll(0, out));
            for (int i = 0; i < n; i++) {
                p.unregister(pairs[i][0]);
            }
            assertEquals(0, p.size());
            assertEquals(0, p.poll(0, out));
        }
    }

    /**
     * Polls until {@code count} descriptors were reported, each at most once per wait. One
     * wait may report only part of them: with DEFER_TASKRUN the kernel completes a bounded
     * number of woken requests per io_uring_enter (as epoll_wait returns at most maxevents).
     */
    private BitSet collect(Poller p, int count) {
        BitSet seen = new BitSet();
        for (int polls = 0; seen.cardinality() < count && polls < 10 * count; polls++) {
            p.poll(10_000, out);
            BitSet once = new BitSet();
            for (int i = 0; i < out.size(); i++) {
                assertTrue(!once.get(out.fd(i)), "fd " + out.fd(i) + " twice in one wait");
                once.set(out.fd(i));
                seen.set(out.fd(i));
            }
        }
        return seen;
    }

    @Test
    void tinyRingsOverflowWithoutLosingAReadyDescriptor() {
        int n = 500;
        try (IoUringPoller p = new IoUringPoller(4, 8)) {    // far more ready fds than ring entries
            BitSet all = new BitSet();
            for (int i = 0; i < n; i++) {
                int[] pipe = fds.pipe();
                p.register(pipe[1], Events.OUT);               // always writable
                all.set(pipe[1]);
            }
            BitSet seen = new BitSet();
            for (int polls = 0; polls < 10 * n && !seen.equals(all); polls++) {
                p.poll(1_000, out);
                for (int i = 0; i < out.size(); i++) {
                    seen.set(out.fd(i));
                }
            }
            assertEquals(all, seen);
        }
    }

    @Test
    void anRdhupNobodyAskedForDoesNotEndTheWait() {
        try (IoUringPoller p = new IoUringPoller(); Arena a = Arena.ofConfined()) {
            int[] s = fds.socketpair();
            MemorySegment buf = a.allocate(65536);
            while (Unistd.write(s[0], buf, buf.byteSize()) > 0) {
                // fill s[0]'s send buffer: not writable
            }
            assertEquals(0, Socket.shutdown(s[1], Socket.SHUT_WR));   // RDHUP on s[0], for good
            p.register(s[0], Events.OUT);
            assertEquals(0, p.poll(0, out));
            long t0 = System.nanoTime();
            assertEquals(0, p.poll(50, out), reported(out).toString());
            assertTrue(System.nanoTime() - t0 >= 50_000_000L, "the wait ended early for an RDHUP nobody asked for");
            while (Unistd.read(s[1], buf, buf.byteSize()) > 0) {
                // the peer reads everything: s[0] becomes writable
            }
            assertEquals(1, p.poll(10_000, out));
            assertEquals(Events.OUT, Events.deliverable(out.events(0), Events.OUT), reported(out).toString());
            assertEquals(1, p.poll(0, out), "level-triggered: still writable");
            assertEquals(Events.OUT, Events.deliverable(out.events(0), Events.OUT), reported(out).toString());
            p.modify(s[0], Events.IN);                         // EOF is readable
            p.poll(0, out);
            assertEquals(List.of(s[0] + ":IN|RDHUP"), reported(out));
        }
    }

    @Test
    void unregisterLetsGoOfTheFileAtOnce() {
        try (IoUringPoller p = new IoUringPoller()) {
            int[] listener = listener();
            p.register(listener[0], Events.IN);
            assertEquals(0, p.poll(0, out));                   // armed: the request holds the file
            p.unregister(listener[0]);
            assertEquals(0, Unistd.close(listener[0]));
            assertThrows(ConnectException.class, () -> connect(listener[1]),
                    "the listening socket must be gone once unregistered and closed");
        }
    }

    @Test
    void unregisterLetsGoOfTheFileEvenBehindManyPendingWakeUps() {
        try (IoUringPoller p = new IoUringPoller()) {
            int[][] pipes = new int[300][];
            for (int i = 0; i < pipes.length; i++) {
                pipes[i] = fds.pipe();
                p.register(pipes[i][0], Events.IN);
            }
            int[] listener = listener();
            p.register(listener[0], Events.IN);
            assertEquals(0, p.poll(0, out));                   // everything armed
            for (int[] pipe : pipes) {
                Fds.write(pipe[1], new byte[] {1});            // 300 completions waiting for the next wait
            }
            p.unregister(listener[0]);
            assertEquals(0, Unistd.close(listener[0]));
            assertThrows(ConnectException.class, () -> connect(listener[1]),
                    "the listener's removal must not wait behind the other completions");
            assertEquals(pipes.length, collect(p, pipes.length).cardinality());
        }
    }

    @Test
    void closeLetsGoOfEveryFile() {
        int[] listener = listener();
        try (IoUringPoller p = new IoUringPoller()) {
            p.register(listener[0], Events.IN);
            assertEquals(0, p.poll(0, out));
        }
        assertEquals(0, Unistd.close(listener[0]));
        assertThrows(ConnectException.class, () -> connect(listener[1]));
    }

    @Test
    void pollingFromOtherThreadsMovesTheRingAndKeepsReporting() throws Exception {
        try (IoUringPoller p = new IoUringPoller()) {
            int[] pipe = fds.pipe();
            p.register(pipe[0], Events.IN);
            Fds.write(pipe[1], new byte[] {1});
            for (int i = 0; i < IoUringPoller.MAX_MOVES + 2; i++) {
                int[] n = new int[1];
                Thread t = new Thread(() -> n[0] = p.poll(0, out), "poller-" + i);
                t.start();
                t.join(10_000);
                assertEquals(1, n[0], "still readable, reported by the wait on thread " + i);
            }
            // A loop that keeps changing threads ends up on a ring any thread may enter.
            assertTrue(!p.ring().singleIssuer(), "setup flags 0x" + Integer.toHexString(p.ring().setupFlags()));
            Fds.read(pipe[0], 10);
            assertEquals(0, p.poll(0, out));
        }
    }

    @Test
    void unregisterOnAnotherThreadLetsGoOfTheFileToo() throws Exception {
        try (IoUringPoller p = new IoUringPoller()) {
            int[] listener = listener();
            p.register(listener[0], Events.IN);
            Thread t = new Thread(() -> p.poll(0, out), "poller");
            t.start();
            t.join(10_000);                                    // armed from a thread that is gone now
            p.unregister(listener[0]);
            assertEquals(0, Unistd.close(listener[0]));
            // The kernel ends the old ring's requests in a worker: refused soon, if not at once.
            long deadline = System.nanoTime() + 5_000_000_000L;
            boolean refused = false;
            while (!refused && System.nanoTime() < deadline) {
                try {
                    connect(listener[1]);
                } catch (ConnectException e) {
                    refused = true;
                } catch (IOException e) {
                    // reset by the dying listener: try again
                }
            }
            assertTrue(refused, "the listening socket still accepted 5 s after unregister and close");
        }
    }

    /** A listening TCP socket on loopback: {fd, port}. */
    private static int[] listener() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(SockAddr.STORAGE_SIZE);
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            int fd = Socket.socket(Socket.AF_INET, Socket.SOCK_STREAM | Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC, 0);
            assertTrue(fd >= 0);
            int n = SockAddr.write(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), addr);
            assertEquals(0, Socket.bind(fd, addr, n));
            assertEquals(0, Socket.listen(fd, 8));
            len.set(ValueLayout.JAVA_INT, 0, SockAddr.STORAGE_SIZE);
            assertEquals(0, Socket.getsockname(fd, addr, len));
            return new int[] {fd, SockAddr.read(addr).getPort()};
        }
    }

    private static void connect(int port) throws IOException {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        }
    }
}
