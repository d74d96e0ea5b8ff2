package dev.uloop.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.internal.posix.Socket;
import dev.uloop.internal.posix.Unistd;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd protocols on their own: which environments mean "socket activated" (the real
 * hand-over of descriptors is tested with systemd-socket-activate by the command line's
 * tests), and sd_notify datagrams received by an AF_UNIX datagram socket made here, at a
 * path and at an abstract name.
 */
@Timeout(30)
class SystemdTest {
    private static final long PID = 4242;

    @Test
    void onlyVariablesMeantForThisProcessCount() throws IOException {
        assertEquals(List.of(), SocketActivation.sockets(Map.of(), PID));
        assertEquals(List.of(), SocketActivation.sockets(Map.of("LISTEN_FDS", "2"), PID));
        assertEquals(List.of(), SocketActivation.sockets(Map.of("LISTEN_FDS", "2", "LISTEN_PID", "4243"), PID),
                "inherited from a parent that was activated");
        assertEquals(List.of(), SocketActivation.sockets(Map.of("LISTEN_FDS", "0", "LISTEN_PID", "4242"), PID));
    }

    @Test
    void malformedVariablesAreSaidSo() {
        IOException fds = assertThrows(IOException.class,
                () -> SocketActivation.sockets(Map.of("LISTEN_FDS", "two", "LISTEN_PID", "4242"), PID));
        assertEquals("LISTEN_FDS=two is not a number from 0 to 1024", fds.getMessage());
        IOException pid = assertThrows(IOException.class,
                () -> SocketActivation.sockets(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "-1"), PID));
        assertTrue(pid.getMessage().startsWith("LISTEN_PID=-1 is not a number"), pid.getMessage());
        IOException names = assertThrows(IOException.class, () -> SocketActivation.sockets(
                Map.of("LISTEN_FDS", "2", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "a:b:c"), PID));
        assertEquals("LISTEN_FDNAMES=a:b:c names 3 sockets, LISTEN_FDS=2 passes 2", names.getMessage());
    }

    /** A bound AF_UNIX datagram socket, as systemd's notify socket; closed by the caller. */
    private static int receiver(Arena arena, byte[] sunPath, int len) {
        int fd = Socket.socket(Socket.AF_UNIX, Socket.SOCK_DGRAM | Socket.SOCK_CLOEXEC, 0);
        assertTrue(fd >= 0, "socket: " + fd);
        MemorySegment sun = arena.allocate(110);
        sun.set(ValueLayout.JAVA_SHORT, 0, (short) Socket.AF_UNIX);
        MemorySegment.copy(sunPath, 0, sun, ValueLayout.JAVA_BYTE, 2, sunPath.length);
        assertEquals(0, Socket.bind(fd, sun, len), "bind");
        return fd;
    }

    private static String receive(Arena arena, int fd) {
        MemorySegment buf = arena.allocate(4096);
        long n = Socket.recv(fd, buf, 4096, 0);
        assertTrue(n >= 0, "recv: " + n);
        return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    @Test
    void readyAndStoppingReachAPathSocket(@TempDir Path dir) throws IOException {
        Path path = dir.resolve("notify");
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            int fd = receiver(arena, name, 2 + name.length + 1);
            try (SystemdNotifier n = SystemdNotifier.connect(path.toString())) {
                n.ready("serving echo on 127.0.0.1:7");
                assertEquals("READY=1\nSTATUS=serving echo on 127.0.0.1:7", receive(arena, fd));
                n.stopping(null);
                assertEquals("STOPPING=1", receive(arena, fd));
            } finally {
                Unistd.close(fd);
            }
        }
    }

    @Test
    void anAbstractNameStartsWithAnAt() throws IOException {
        String abstractName = "uloop-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        byte[] name = ("\0" + abstractName).getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            int fd = receiver(arena, name, 2 + name.length);
            try (SystemdNotifier n = SystemdNotifier.connect("@" + abstractName)) {
                n.send("STATUS=line one\nWATCHDOG=1");
                assertEquals("STATUS=line one\nWATCHDOG=1", receive(arena, fd));
            } finally {
                Unistd.close(fd);
            }
        }
    }

    @Test
    void aSocketThatIsNotThereIsSaidSo(@TempDir Path dir) {
        String missing = dir.resolve("nothing-here").toString();
        IOException e = assertThrows(IOException.class, () -> SystemdNotifier.connect(missing));
        assertEquals("NOTIFY_SOCKET=" + missing + ": connect: ENOENT (No such file or directory)", e.getMessage());
        IOException relative = assertThrows(IOException.class, () -> SystemdNotifier.connect("run/notify"));
        assertTrue(relative.getMessage().contains("not a socket path (/...) or abstract name (@...)"),
                relative.getMessage());
        IOException tooLong = assertThrows(IOException.class, () -> SystemdNotifier.connect("/" + "x".repeat(200)));
        assertTrue(tooLong.getMessage().endsWith("longer than 108 bytes"), tooLong.getMessage());
    }
}
