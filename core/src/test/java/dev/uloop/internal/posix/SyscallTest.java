package dev.uloop.internal.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.Fds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The direct system calls: available on x86_64 Linux, and behind the same wrappers as the
 * libc calls, with the same results: counts, and {@code -errno} where libc sets errno.
 */
@Timeout(10)
class SyscallTest {
    @Test
    void availableOnX86Linux() {
        if (LibC.X86_64 && LibC.LINUX && !"false".equals(System.getProperty("uloop.directSyscalls"))) {
            assertTrue(Syscall.AVAILABLE, "direct system calls not in use on x86_64 Linux");
        }
    }

    @Test
    void failuresReturnMinusErrno() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(64);
            assertEquals(-Errno.EBADF, Socket.recv(-1, buf, 64, Socket.MSG_DONTWAIT));
            assertEquals(-Errno.EBADF, Socket.send(-1, buf, 8, 64, Socket.MSG_DONTWAIT));
            assertEquals(-Errno.EBADF, Epoll.wait(-1, a.allocate(Epoll.EVENT), 1, 0));
            assertEquals(-Errno.EBADF, Epoll.ctl(-1, Epoll.EPOLL_CTL_ADD, 0, a.allocate(Epoll.EVENT)));
            assertEquals(-Errno.EINVAL, Poll.poll(buf, -1, 0));
        }
    }

    @Test
    void aSocketPairCarriesBytesFromAnOffsetAndSaysWhenEmpty() {
        try (Fds fds = new Fds(); Arena a = Arena.ofConfined()) {
            int[] s = fds.socketpair();
            MemorySegment out = a.allocate(16);
            for (int i = 0; i < 16; i++) {
                out.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            assertEquals(6, Socket.send(s[0], out, 10, 6, Socket.MSG_DONTWAIT | Socket.MSG_NOSIGNAL));
            MemorySegment in = a.allocate(16);
            assertEquals(6, Socket.recv(s[1], in, 16, Socket.MSG_DONTWAIT));
            assertArrayEquals(new byte[] {10, 11, 12, 13, 14, 15}, in.asSlice(0, 6).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(-Errno.EAGAIN, Socket.recv(s[1], in, 16, Socket.MSG_DONTWAIT));

            int ep = Epoll.create1(Epoll.EPOLL_CLOEXEC);
            try {
                MemorySegment ev = a.allocate(Epoll.EVENT);
                ev.set(ValueLayout.JAVA_INT, Epoll.EVENTS_OFFSET, Epoll.EPOLLIN);
                ev.set(ValueLayout.JAVA_LONG_UNALIGNED, Epoll.DATA_OFFSET, s[1]);
                assertEquals(0, Epoll.ctl(ep, Epoll.EPOLL_CTL_ADD, s[1], ev));
                assertEquals(0, Epoll.wait(ep, ev, 1, 0));             // nothing to read
                assertEquals(1, Socket.send(s[0], out, 1, Socket.MSG_DONTWAIT | Socket.MSG_NOSIGNAL));
                assertEquals(1, Epoll.wait(ep, ev, 1, 5_000));         // a blocking wait that returns
                assertEquals(s[1], (int) ev.get(ValueLayout.JAVA_LONG_UNALIGNED, Epoll.DATA_OFFSET));
            } finally {
                Unistd.close(ep);
            }
        }
    }

    @Test
    void aPipeCarriesBytesAndSaysWhenEmpty() {
        try (Fds fds = new Fds(); Arena a = Arena.ofConfined()) {
            int[] p = fds.pipe();
            MemorySegment buf = a.allocate(8);
            buf.set(ValueLayout.JAVA_LONG, 0, 0x0102030405060708L);
            assertEquals(8, Unistd.write(p[1], buf, 8));
            MemorySegment in = a.allocate(16);
            assertEquals(8, Unistd.read(p[0], in, 16));
            assertEquals(0x0102030405060708L, in.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(-Errno.EAGAIN, Unistd.read(p[0], in, 16));
            assertEquals(-Errno.EBADF, Unistd.write(-1, buf, 8));
        }
    }

    @Test
    void aHeapSegmentIsRefused() {
        MemorySegment heap = MemorySegment.ofArray(new byte[8]);
        assertThrows(IllegalArgumentException.class, () -> Socket.recv(-1, heap, 8, Socket.MSG_DONTWAIT));
    }
}
