package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.it.UloopServer.Mode;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server that runs out of file descriptors (accept fails with EMFILE) says so, stops
 * accepting for a moment instead of spinning on the pending connection, keeps serving the
 * connections it has, and accepts the waiting ones once descriptors are free again. The
 * server runs under {@code prlimit --nofile}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FdLimitTest {
    /** The server's descriptor limit: what a JVM with uloop holds (about 15), plus room for about 20 connections. */
    private static final long LIMIT = 36;

    private static byte[] echo(UloopServer s, Socket c, String text) throws Exception {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        c.getOutputStream().write(data);
        InputStream in = c.getInputStream();
        try {
            return in.readNBytes(data.length);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no echo of " + text.strip() + " within 10 s; server stderr:\n" + s.stderr(), e);
        }
    }

    private static Socket connect(UloopServer s) throws Exception {
        Socket c = new Socket();
        c.connect(s.tcp(), 5_000);
        c.setSoTimeout(10_000);
        return c;
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"EPOLL", "IO_URING_COMPLETION_2_LOOPS"})
    void outOfDescriptorsPausesAcceptsAndRecovers(Mode mode) throws Exception {
        mode.assumeAvailable();
        Exec.peer("prlimit", "util-linux");     // skips the test where it is missing
        // The limit is set before the server starts: io_uring takes RLIMIT_NOFILE when an
        // ACCEPT request is prepared, so lowering it later would not reach an armed one.
        try (UloopServer s = UloopServer.startWithFdLimit(LIMIT, UloopServer.args("echo", mode, "--tcp"))) {
            long open;
            try (Stream<Path> fds = Files.list(Path.of("/proc/" + s.pid() + "/fd"))) {
                open = fds.count();
            }
            int room = (int) (LIMIT - open);
            assumeTrue(room > 2 && room < 40, () -> "the server holds " + open + " descriptors of " + LIMIT);

            List<Socket> clients = new ArrayList<>();
            try {
                // The first connection is served before the server runs out. With two loops
                // (two listeners, SO_REUSEPORT) the backlogs are not served in connect order,
                // so which of the later ones get a descriptor is the kernel's choice.
                clients.add(connect(s));
                assertArrayEquals("first\n".getBytes(StandardCharsets.US_ASCII), echo(s, clients.get(0), "first\n"),
                        "an accepted connection is served");
                for (int i = 1; i < room + 20; i++) {   // about room of them get accepted; the rest wait in a backlog
                    clients.add(connect(s));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!s.stderr().contains("EMFILE") && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(s.stderr().contains("EMFILE") && s.stderr().contains("pausing accepts"),
                        () -> "no EMFILE warning; stderr:\n" + s.stderr());
                s.assertAlive();
                assertArrayEquals("again\n".getBytes(StandardCharsets.US_ASCII), echo(s, clients.get(0), "again\n"),
                        "a connection is still served while accepts are paused");

                for (int i = 0; i < room + 10; i++) {   // frees the server's descriptors
                    clients.get(i).close();
                }
                for (int i = room + 10; i < room + 20; i++) {   // the waiting connections are accepted and served
                    String text = "late " + i + "\n";
                    assertArrayEquals(text.getBytes(StandardCharsets.US_ASCII), echo(s, clients.get(i), text),
                            "connection " + i + " after descriptors were freed");
                }
                s.assertAlive();
                long warnings = s.stderr().lines().filter(l -> l.contains("pausing accepts")).count();
                // Accepts fail every 100 ms while out of descriptors: the throttle logs once per 10 s.
                assertTrue(warnings <= 2, () -> warnings + " warnings: the log is flooded; stderr:\n" + s.stderr());
            } finally {
                for (Socket c : clients) {
                    c.close();
                }
            }
        }
    }
}
