package dev.uloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.Backend;
import dev.uloop.services.Server;
import dev.uloop.services.Service;
import dev.uloop.services.ServiceConfig;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@code uloop bench}, in-process, against an echo server on an event loop of this JVM:
 * the progress line while warming up, and the check of {@code --server-pid}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchCommandTest {
    private static final String SELF = Long.toString(ProcessHandle.current().pid());
    /** Above the largest pid Linux hands out (PID_MAX_LIMIT, 2^22): never a process. */
    private static final String NO_SUCH_PID = Long.toString((1L << 22) + 1);

    private static Server echo;
    private static String tcpPort;
    private static String udpPort;

    @BeforeAll
    static void startEcho() throws IOException {
        echo = Server.onLoop(ServiceConfig.of(Service.ECHO).withPort(0), Backend.best(), 1);
        echo.start();
        tcpPort = Integer.toString(echo.tcpAddress().getPort());
        udpPort = Integer.toString(echo.udpAddress().getPort());
    }

    @AfterAll
    static void stopEcho() {
        if (echo != null) {
            echo.stop();
        }
    }

    /** A short, quiet run: the result on stdout, stderr holding only what the command warns. */
    private static MainTest.Result quickRun(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("bench", "-c", "1", "--warmup", "0s",
                "--duration", "300ms", "--format", "csv", "-q"));
        args.addAll(List.of(extra));
        MainTest.Result r = MainTest.run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        assertEquals(2, r.outLines().size(), () -> "a CSV header and one row: " + r.out());
        return r;
    }

    /**
     * Two seconds and a half of warm-up, so that progress lines come while warming up (one
     * a second): none shows a percentile, which only measured round trips have.
     */
    @Test
    void warmUpShowsNoPercentile() {
        MainTest.Result r = MainTest.run("bench", "--port", tcpPort, "-c", "2", "--warmup", "2500ms",
                "--duration", "1500ms", "--format", "csv");
        assertEquals(0, r.status(), r.err());
        List<String> progress = r.errLines();
        List<String> warmUp = progress.stream().filter(l -> l.startsWith("[warm-up]")).toList();
        assertFalse(warmUp.isEmpty(), () -> "no progress line while warming up:\n" + r.err());
        for (String line : warmUp) {
            assertTrue(line.matches("\\[warm-up\\] [\\d,]+ msgs/s, errors 0"), line);
        }
        for (String line : progress) {
            assertFalse(line.contains("p99 0 us"), () -> "a percentile of nothing: " + line);
            assertTrue(line.startsWith("[") && !line.startsWith("uloop:"), () -> "not a progress line: " + line);
        }
        assertTrue(progress.stream().anyMatch(l -> l.matches("\\[measuring \\d+/1s\\] [\\d,]+ msgs/s, p99 \\d+ us,"
                + " errors 0")), () -> "no measuring line with a percentile:\n" + r.err());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void theServersOwnPidGivesNoWarning() {
        assertEquals("", quickRun("--port", tcpPort, "--server-pid", SELF).err());
        assertEquals("", quickRun("--udp", "--port", udpPort, "--server-pid", SELF).err());
    }

    /** Another process's pid: one warning line, and the run goes on. */
    @Test
    @EnabledOnOs(OS.LINUX)
    void aPidThatDoesNotServeThePortGivesOneWarning() throws Exception {
        Process other = new ProcessBuilder("cat").start();
        try {
            MainTest.Result r = quickRun("--port", tcpPort, "--server-pid", Long.toString(other.pid()));
            assertEquals(List.of("uloop: warning: --server-pid: process " + other.pid() + " has no TCP socket"
                    + " listening on port " + tcpPort + ", so its CPU time is not the server's"), r.errLines());
        } finally {
            other.destroy();
            other.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aPidThatIsNotThereGivesOneWarning() {
        MainTest.Result r = quickRun("--udp", "--port", udpPort, "--server-pid", NO_SUCH_PID);
        assertEquals(List.of("uloop: warning: --server-pid: no process " + NO_SUCH_PID + " is running, so there is"
                + " no server CPU time to report"), r.errLines());
    }

    @Test
    void aNegativePidIsBadUsage() {
        MainTest.assertUsageError("bench", "--server-pid must be a process id, not -3",
                "bench", "--port", tcpPort, "--server-pid", "-3");
    }
}
