package dev.uloop.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.EventLoop;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each example as a program of its own, on the module path and on the class path, driven by
 * real clients where the machine has them ({@code nc}, {@code socat}) and by the examples'
 * own clients: the programs a reader copies must work as the README says.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExamplesTest {
    private static final Pattern READY = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern SEED_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}");

    /** How the JVM finds the library and the examples. */
    enum Path0 {
        MODULE_PATH, CLASS_PATH
    }

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The command that runs {@code main} of an example. */
    private static List<String> java(Path0 how, String mainClass, String... args) {
        String path = location(UdpTimeServer.class) + File.pathSeparator + location(EventLoop.class);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (how == Path0.MODULE_PATH) {
            cmd.addAll(List.of("--enable-native-access=dev.uloop,dev.uloop.examples", "-p", path,
                    "-m", "dev.uloop.examples/dev.uloop.examples." + mainClass));
        } else {
            cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", path, "dev.uloop.examples." + mainClass));
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A running example server. */
    private static final class Server implements AutoCloseable {
        final Process process;
        final int port;
        final CompletableFuture<String> stderr;

        Server(Path0 how, String mainClass) throws Exception {
            process = new ProcessBuilder(java(how, mainClass, "0")).start();
            stderr = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            Matcher m = READY.matcher(line == null ? "" : line);
            if (!m.find()) {
                process.destroyForcibly();
                throw new AssertionError(mainClass + " did not start: " + line + "\n" + stderr.get(10, TimeUnit.SECONDS));
            }
            port = Integer.parseInt(m.group(1));
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Runs a command to its end and gives its standard output. */
    private static String run(List<String> cmd, String stdin) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "did not end: " + cmd);
        assertEquals(0, p.exitValue(), cmd + " failed; output: " + out);
        return out;
    }

    private static boolean has(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void assertSeedTime(String text) {
        assertTrue(SEED_TIME.matcher(text.strip()).matches(), "not the seed's time format: '" + text + "'");
    }

    @ParameterizedTest
    @EnumSource(Path0.class)
    void udpTimeServerAnswersNcAndItsClient(Path0 how) throws Exception {
        try (Server s = new Server(how, "UdpTimeServer")) {
            if (has("nc")) {
                assertSeedTime(run(List.of("nc", "-u", "-w1", "127.0.0.1", Integer.toString(s.port)), "hi\n"));
            }
            assertSeedTime(run(java(how, "TimeClient", "udp", "127.0.0.1", Integer.toString(s.port)), ""));
            s.close();
            assertNoWarning(s);
        }
    }

    @ParameterizedTest
    @EnumSource(Path0.class)
    void tcpTimeServerAnswersNcAndItsClient(Path0 how) throws Exception {
        try (Server s = new Server(how, "TcpTimeServer")) {
            if (has("nc")) {
                assertSeedTime(run(List.of("nc", "-N", "127.0.0.1", Integer.toString(s.port)), "hi\n"));
            }
            assertSeedTime(run(java(how, "TimeClient", "tcp", "127.0.0.1", Integer.toString(s.port)), ""));
            s.close();
            assertNoWarning(s);
        }
    }

    @ParameterizedTest
    @EnumSource(Path0.class)
    void echoServerEchoesSocatAndItsClient(Path0 how) throws Exception {
        try (Server s = new Server(how, "EchoServer")) {
            if (has("socat")) {
                String big = "x".repeat(200_000) + "\n";
                assertEquals(big, run(List.of("socat", "-t5", "-", "TCP:127.0.0.1:" + s.port), big));
            }
            assertEquals("hello uloop\n",
                    run(java(how, "EchoClient", "127.0.0.1", Integer.toString(s.port), "hello uloop"), ""));
            s.close();
            assertNoWarning(s);
        }
    }

    @ParameterizedTest
    @EnumSource(Path0.class)
    void blockingTimeServerAnswersOneClientAtATime(Path0 how) throws Exception {
        try (Server s = new Server(how, "BlockingTimeServer")) {
            assertSeedTime(run(java(how, "TimeClient", "tcp", "127.0.0.1", Integer.toString(s.port)), ""));
            if (has("nc")) {
                assertSeedTime(run(List.of("nc", "-N", "127.0.0.1", Integer.toString(s.port)), "hi\n"));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Path0.class)
    void pipeEventsReadsThreeTicks(Path0 how) throws Exception {
        String out = run(java(how, "PipeEvents"), "");
        List<String> lines = out.lines().toList();
        assertTrue(lines.get(0).startsWith("pipe-events: reading fd "), out);
        assertEquals(4, lines.size(), out);
        for (int i = 1; i <= 3; i++) {
            assertTrue(lines.get(i).matches("fd \\d+ IN: tick " + i), out);
        }
    }

    @ParameterizedTest
    @EnumSource(Path0.class)
    void aClientWithoutAServerSaysSo(Path0 how) throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Process p = new ProcessBuilder(java(how, "EchoClient", "127.0.0.1", Integer.toString(port))).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), err);
        assertTrue(err.contains("ECONNREFUSED (Connection refused)"), err);
    }

    private static void assertNoWarning(Server s) throws Exception {
        String err = s.stderr.get(10, TimeUnit.SECONDS);
        assertFalse(err.contains("WARNING"), "the JVM or the library warned:\n" + err);
    }
}
