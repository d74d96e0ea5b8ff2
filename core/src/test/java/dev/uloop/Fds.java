package dev.uloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.SockAddr;
import dev.uloop.internal.posix.Socket;
import dev.uloop.internal.posix.Unistd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Descriptors for tests: pipes, socketpairs, TCP pairs; every one is closed by {@link #close()}. */
public final class Fds implements AutoCloseable {
    private final List<Integer> open = new ArrayList<>();

    /** A non-blocking pipe: {read, write}. */
    public int[] pipe() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(ValueLayout.JAVA_INT, 2);
            check(Unistd.pipe2(fds, Unistd.O_NONBLOCK | Unistd.O_CLOEXEC), "pipe2");
            return track(fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1));
        }
    }

    /** A non-blocking AF_UNIX stream socketpair. */
    public int[] socketpair() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(ValueLayout.JAVA_INT, 2);
            check(Socket.socketpair(Socket.AF_UNIX,
                    Socket.SOCK_STREAM | Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC, 0, fds), "socketpair");
            return track(fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1));
        }
    }

    /** A connected TCP pair over loopback: {client, server}, both non-blocking. */
    public int[] tcpPair() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(SockAddr.STORAGE_SIZE);
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            int listener = check(Socket.socket(Socket.AF_INET, Socket.SOCK_STREAM | Socket.SOCK_CLOEXEC, 0), "socket");
            try {
                int n = SockAddr.write(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), addr);
                check(Socket.bind(listener, addr, n), "bind");
                check(Socket.listen(listener, 8), "listen");
                len.set(ValueLayout.JAVA_INT, 0, SockAddr.STORAGE_SIZE);
                check(Socket.getsockname(listener, addr, len), "getsockname");
                int client = check(Socket.socket(Socket.AF_INET, Socket.SOCK_STREAM | Socket.SOCK_CLOEXEC, 0), "socket");
                check(Socket.connect(client, addr, len.get(ValueLayout.JAVA_INT, 0)), "connect");
                int server = check(Socket.accept4(listener, MemorySegment.NULL, MemorySegment.NULL,
                        Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC), "accept4");
                check(Unistd.fcntl(client, Unistd.F_SETFL, Unistd.O_NONBLOCK), "fcntl");
                return track(client, server);
            } finally {
                Unistd.close(listener);
            }
        }
    }

    private int[] track(int a, int b) {
        open.add(a);
        open.add(b);
        return new int[] {a, b};
    }

    /** Writes all bytes (the descriptor has room for them in tests). */
    public static void write(int fd, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocateFrom(ValueLayout.JAVA_BYTE, data);
            long r = Unistd.write(fd, buf, data.length);
            assertEquals(data.length, r, "write(fd=" + fd + ")");
        }
    }

    /** Reads up to {@code max} bytes; returns the bytes (empty at EOF), or throws with the errno. */
    public static byte[] read(int fd, int max) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(1, max));
            long r = Unistd.read(fd, buf, max);
            if (r < 0) {
                throw Errors.exception("read(fd=" + fd + ")", (int) -r);
            }
            return buf.asSlice(0, r).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** read(2) into a scratch buffer: byte count, 0 at EOF, or -errno. */
    public static long readRaw(int fd, int max) {
        try (Arena a = Arena.ofConfined()) {
            return Unistd.read(fd, a.allocate(Math.max(1, max)), max);
        }
    }

    /** Sends one byte of TCP urgent data. */
    public static void sendUrgent(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = a.allocateFrom(ValueLayout.JAVA_BYTE, (byte) '!');
            assertEquals(1, Socket.send(fd, b, 1, Socket.MSG_OOB | Socket.MSG_NOSIGNAL));
        }
    }

    /** Closes with SO_LINGER {1, 0}, so the peer receives a reset. */
    public void reset(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment linger = a.allocate(8);
            linger.set(ValueLayout.JAVA_INT, 0, 1);
            linger.set(ValueLayout.JAVA_INT, 4, 0);
            check(Socket.setsockopt(fd, Socket.SOL_SOCKET, Socket.SO_LINGER, linger, 8), "setsockopt");
        }
        close(fd);
    }

    /** A copy of {@code fd} numbered {@code atLeast} or more (the lowest free such number). */
    public int dupAtOrAbove(int fd, int atLeast) {
        int copy = check(Unistd.fcntl(fd, Unistd.F_DUPFD_CLOEXEC, atLeast), "fcntl(F_DUPFD_CLOEXEC)");
        open.add(copy);
        return copy;
    }

    /** Closes a descriptor now (and forgets it). */
    public void close(int fd) {
        if (open.remove(Integer.valueOf(fd))) {
            assertEquals(0, Unistd.close(fd), "close(fd=" + fd + ")");
        }
    }

    /** Forgets a descriptor that something else closed. */
    public void forget(int fd) {
        open.remove(Integer.valueOf(fd));
    }

    @Override
    public void close() {
        for (int fd : open) {
            Unistd.close(fd);
        }
        open.clear();
    }

    static int check(int r, String call) {
        assertTrue(r >= 0, () -> call + " failed: " + dev.uloop.internal.posix.Errno.name(-r));
        return r;
    }
}
