package dev.uloop.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the comparison names a server that dies in a round: by its last line, not by an
 * earlier warning, and past a Java stack trace's frames. The servers are small shell
 * scripts that print a ready line, wait for a file the test creates, then die.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServerProcessTest {
    private static final Pattern READY = Pattern.compile("ready: tcp ");

    @TempDir
    Path dir;

    /** A server that, once {@code trigger} exists, prints {@code dying} (to stderr) and exits with 1. */
    private ServerProcess dyingServer(Path trigger, String dying) throws Exception {
        // The warning comes before the ready line, so that it has been read once start returns.
        String script = "echo 'WARNING: an early, harmless warning' >&2; echo 'fake echo ready: tcp 127.0.0.1:1'; "
                + "while [ ! -e \"$1\" ]; do sleep 0.05; done; printf '%s\\n' \"$2\" >&2; exit 1";
        return ServerProcess.start("fake", List.of("sh", "-c", script, "fake", trigger.toString(), dying), -1, READY,
                Duration.ofSeconds(10));
    }

    @Test
    void aServerThatDiesIsNamedByItsLastLine() throws Exception {
        Path trigger = dir.resolve("die");
        String line = "select_echo.py: select.select() raised ValueError: filedescriptor out of range in select()"
                + " (highest descriptor 1024; FD_SETSIZE is 1024)";
        try (ServerProcess s = dyingServer(trigger, line)) {
            assertTrue(s.alive());
            assertEquals(": WARNING: an early, harmless warning", s.hint(), "the first trouble, while it runs");
            Files.createFile(trigger);
            assertEquals("server exited with status 1 in round 2: " + line,
                    PointRunner.roundFailure(s, 2, "Connection reset by peer"));
        }
    }

    @Test
    void aJavaStackTraceGivesItsExceptionLine() throws Exception {
        Path trigger = dir.resolve("die");
        String trace = "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n"
                + "\tat dev.uloop.Foo.bar(Foo.java:1)\n\t... 3 more";
        try (ServerProcess s = dyingServer(trigger, trace)) {
            Files.createFile(trigger);
            assertEquals("Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space",
                    s.exitReason(Duration.ofSeconds(10)));
        }
    }

    @Test
    void aLiveServerLeavesTheLoadGeneratorsError() throws Exception {
        try (ServerProcess s = dyingServer(dir.resolve("never"), "unused")) {
            assertNull(s.exitReason(Duration.ofMillis(200)), "still running");
            assertEquals("round 1: Connection reset by peer: WARNING: an early, harmless warning",
                    PointRunner.roundFailure(s, 1, "Connection reset by peer"));
        }
    }
}
