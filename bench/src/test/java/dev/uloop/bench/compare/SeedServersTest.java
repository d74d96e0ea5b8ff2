package dev.uloop.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The seeds' Python echo servers of the comparison (bench/seeds), started as the catalogue
 * starts them: each echoes TCP and UDP; the select one dies with Python's own ValueError
 * once a connection's descriptor passes 1023, the poll and epoll ones serve past 1024.
 * Skipped without python3.
 */
class SeedServersTest {
    private static final Pattern ADDRESS = Pattern.compile("ready: (tcp|udp) 127\\.0\\.0\\.1:(\\d+)");

    private static ServerDef seed(String mux) {
        Path python = Servers.onPath("python3");
        assumeTrue(python != null, "python3 not installed (Debian package python3); skipping");
        Path seeds = Servers.seedsDir();
        assertNotNull(seeds, "bench/seeds not found from " + Path.of("").toAbsolutePath());
        return Servers.select(Servers.all(Path.of("java"), "cp", null, python, seeds), "seed-" + mux).get(0);
    }

    /** Starts the server on a free port (port 0) and returns it with the port its ready line names. */
    private static ServerProcess start(ServerDef def, boolean udp) throws IOException {
        return ServerProcess.start(def.id(), def.launcher().command(0, udp, List.of(), null), -1, def.ready(),
                Duration.ofSeconds(20));
    }

    private static int port(ServerProcess s) {
        Matcher m = ADDRESS.matcher(s.output());
        assertTrue(m.find(), () -> "no address in: " + s.output());
        return Integer.parseInt(m.group(2));
    }

    private static Socket connect(int port) throws IOException {
        Socket c = new Socket();
        c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        c.setSoTimeout(10_000);
        return c;
    }

    private static String echo(Socket c, String text) throws IOException {
        byte[] data = text.getBytes(StandardCharsets.US_ASCII);
        c.getOutputStream().write(data);
        return new String(c.getInputStream().readNBytes(data.length), StandardCharsets.US_ASCII);
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // Closing; nothing to do.
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"select", "poll", "epoll"})
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void echoesTcp(String mux) throws Exception {
        try (ServerProcess s = start(seed(mux), false)) {
            int port = port(s);
            try (Socket a = connect(port); Socket b = connect(port)) {
                assertEquals("hello\n", echo(a, "hello\n"));
                assertEquals("second\n", echo(b, "second\n"));
                byte[] big = new byte[512 * 1024];              // more than one read, and a send that falls short
                Arrays.fill(big, (byte) 'x');
                Thread writer = Thread.ofPlatform().start(() -> {
                    try {
                        a.getOutputStream().write(big);
                    } catch (IOException e) {
                        // The read below fails then.
                    }
                });
                byte[] back = a.getInputStream().readNBytes(big.length);
                writer.join(10_000);
                assertTrue(Arrays.equals(big, back), "512 KiB echoed intact");
                a.shutdownOutput();
                assertEquals(-1, a.getInputStream().read(), "the server closes after the client's end of stream");
                assertEquals("still\n", echo(b, "still\n"));
            }
            assertTrue(s.alive(), s::output);
            assertEquals(null, s.stop(Duration.ofSeconds(10)), "stops on SIGTERM");
            assertEquals(0, s.exitCode(), s::output);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"select", "poll", "epoll"})
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void echoesUdp(String mux) throws Exception {
        try (ServerProcess s = start(seed(mux), true); DatagramSocket c = new DatagramSocket(0,
                InetAddress.getLoopbackAddress())) {
            int port = port(s);
            c.setSoTimeout(2_000);
            byte[] data = "datagram".getBytes(StandardCharsets.US_ASCII);
            DatagramPacket in = new DatagramPacket(new byte[100], 100);
            boolean answered = false;
            for (int i = 0; i < 5 && !answered; i++) {          // UDP may drop: ask again
                c.send(new DatagramPacket(data, data.length, InetAddress.getLoopbackAddress(), port));
                try {
                    c.receive(in);
                    answered = true;
                } catch (java.net.SocketTimeoutException e) {
                    // Ask again.
                }
            }
            assertTrue(answered, s::output);
            assertEquals("datagram", new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void selectDiesPastDescriptor1023() throws Exception {
        List<Socket> clients = new ArrayList<>();
        try (ServerProcess s = start(seed("select"), false)) {
            int port = port(s);
            try {
                for (int i = 0; i < 1030; i++) {
                    clients.add(connect(port));
                }
            } catch (IOException e) {
                // The server died while the last ones connected: what the test waits for.
            }
            String last = s.exitReason(Duration.ofSeconds(30));
            assertFalse(s.alive(), "seed-select should have died past descriptor 1023; it serves " + clients.size());
            assertEquals(1, s.exitCode(), s::output);
            assertNotNull(last, s::output);
            assertTrue(last.contains("ValueError: filedescriptor out of range in select()"), last);
            Matcher m = Pattern.compile("\\(highest descriptor (\\d+); FD_SETSIZE is 1024\\)").matcher(last);
            assertTrue(m.find() && Integer.parseInt(m.group(1)) >= 1024, last);
        } finally {
            closeAll(clients);
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void theComparisonMarksTheSelectServersPointFailedWithPythonsError(@TempDir Path out) throws Exception {
        seed("select");
        int status = new CommandLine(new Compare()).execute("--servers", "seed-select,seed-epoll",
                "--points", "tcp-10+idle5000", "--rounds", "1", "--duration", "1s", "--warmup", "500ms",
                "--no-alloc", "--no-memory", "--no-loadgen-check", "--retries", "0", "--server-cpu", "-1",
                "--out", out.toString());
        assertEquals(0, status, "the run goes on past a failed point");
        List<Row> rows = Report.parseCsv(Files.readString(out.resolve("results.csv")));
        Row select = rows.stream().filter(r -> r.server().equals("seed-select")).findFirst().orElseThrow();
        assertEquals(Row.Status.FAILED, select.status(), select::toString);
        assertTrue(select.note().startsWith("server exited with status 1 in round 1: select_echo.py: select.select()"
                + " raised ValueError: filedescriptor out of range in select()"), select.note());
        Row epoll = rows.stream().filter(r -> r.server().equals("seed-epoll")).findFirst().orElseThrow();
        assertEquals(Row.Status.OK, epoll.status(), epoll::toString);
        assertTrue(epoll.msgsPerSec() > 0, epoll::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"poll", "epoll"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void pollAndEpollServePast1024(String mux) throws Exception {
        List<Socket> clients = new ArrayList<>();
        try (ServerProcess s = start(seed(mux), false)) {
            int port = port(s);
            try {
                for (int i = 0; i < 1100; i++) {
                    clients.add(connect(port));
                }
                assertEquals("last\n", echo(clients.get(clients.size() - 1), "last\n"), "connection 1100");
                assertEquals("first\n", echo(clients.get(0), "first\n"), "connection 1");
                assertTrue(s.alive(), s::output);
            } finally {
                closeAll(clients);
            }
        }
    }
}
