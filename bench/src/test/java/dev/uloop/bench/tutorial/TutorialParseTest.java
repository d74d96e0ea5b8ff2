package dev.uloop.bench.tutorial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.bench.tutorial.Tutorial.Block;
import dev.uloop.bench.tutorial.Tutorial.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How TutorialTest reads the tutorial's blocks and the comments that say what each command does. */
@Timeout(10)
class TutorialParseTest {
    private static final String SAMPLE = """
            # Sample

            ## 1. First

            <!-- run -->
            ```sh
            python3 bench/seeds/select_echo.py --port 9333   # serves, then dies: ValueError: out of range
            nc 127.0.0.1 9333 < /dev/null &                  # a slow client
            echo hi | nc -N -w 3 127.0.0.1 9333              # -> nothing
            bin/uloop client time --port 9037                # e.g. 2026-12-02T09:48:46Z
            bin/uloop bench --port 9333 -c 10 -q             # fails: the server is gone
            ```

            <!-- lesson: first -->

            ## 2. Second

            <!-- run: io_uring -->
            ```sh
            bin/uloop serve echo --port 9007   # serves: uloop echo ready: tcp 127.0.0.1:9007
            ```

            ```sh
            echo not run
            ```
            """;

    @TempDir
    Path dir;

    private Tutorial sample() throws Exception {
        Path file = dir.resolve("tutorial.md");
        Files.writeString(file, SAMPLE);
        return Tutorial.read(file);
    }

    @Test
    void readsBlocksStepsAndDirectives() throws Exception {
        Tutorial t = sample();
        assertEquals(2, t.blocks().size());
        assertEquals(List.of("2. Second, line 23"), t.shellBlocksNotRun());
        assertEquals(Map.of("1. First", 1, "2. Second", 0), t.lessonMarkers());
        Block first = t.blocks().get(0);
        assertEquals("1. First", first.chapter());
        assertNull(first.requires());
        assertEquals("io_uring", t.blocks().get(1).requires());
        List<Step> s = first.steps();
        assertEquals(5, s.size());

        assertTrue(s.get(0).server() && s.get(0).dies());
        assertEquals("ValueError: out of range", s.get(0).expected());
        assertEquals("python3 bench/seeds/select_echo.py --port 9333", s.get(0).command());

        assertTrue(s.get(1).background() && !s.get(1).server());
        assertEquals("nc 127.0.0.1 9333 < /dev/null", s.get(1).bare());

        assertEquals("nothing", s.get(2).expected());
        assertFalse(s.get(2).fails());

        assertTrue(s.get(3).shape().matcher("2031-01-15T23:59:01Z (+0 s)").find(), "digits stand for any digit");
        assertFalse(s.get(3).shape().matcher("2031-01-15 23:59:01").find(), "the rest must match");

        assertTrue(s.get(4).fails());
        assertNull(s.get(4).expected());

        Step server = t.blocks().get(1).steps().get(0);
        assertTrue(server.server() && !server.dies());
        assertEquals("uloop echo ready: tcp 127.0.0.1:9007", server.expected());
    }

    @Test
    void portsBecomeFreePortsInCommandsAndExpectationsAlike() throws Exception {
        Block first = sample().blocks().get(0);
        Map<String, String> ports = first.freePorts();
        assertEquals(List.of("9333", "9037"), List.copyOf(ports.keySet()));
        assertNotEquals(ports.get("9333"), ports.get("9037"));
        Block moved = first.withPorts(ports);
        String p = ports.get("9333");
        assertEquals("python3 bench/seeds/select_echo.py --port " + p, moved.steps().get(0).command());
        assertEquals("nc 127.0.0.1 " + p + " < /dev/null &", moved.steps().get(1).command());
        assertEquals("bin/uloop client time --port " + ports.get("9037"), moved.steps().get(3).command());
        Block second = sample().blocks().get(1);
        Block secondMoved = second.withPorts(second.freePorts());
        String port = secondMoved.steps().get(0).command().replaceAll(".*--port ", "");
        assertEquals("uloop echo ready: tcp 127.0.0.1:" + port, secondMoved.steps().get(0).expected(),
                "the ready line expected names the new port too");
    }
}
