package dev.uloop.bench.tutorial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.Backend;
import dev.uloop.bench.compare.Servers;
import dev.uloop.bench.tutorial.Tutorial.Block;
import dev.uloop.bench.tutorial.Tutorial.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every command of docs/tutorial.md, block by block, against loopback, so that the
 * tutorial cannot rot: each block's ports become free ones, its servers start and must say
 * they are ready, its clients must exit as the tutorial says and print what it shows, and
 * its servers must still run at the end (or have died as the tutorial says), then stop on
 * SIGTERM. {@code bench/compare} runs as the class the script runs, on this test's class
 * path, with its results in a temporary folder (the script only builds and pins CPUs).
 * Blocks are skipped where a peer they use (python3, OpenBSD nc, pgrep) or io_uring is
 * missing.
 */
class TutorialTest {
    private static final Path ROOT = findRoot();
    private static final Path FILE = ROOT.resolve("docs/tutorial.md");
    /** What servers print once they serve: uloop's and the seeds' ready lines, the examples' listening line. */
    private static final List<String> READY = List.of("ready: ", "listening on ");
    private static final Duration SERVER_READY = Duration.ofSeconds(120);
    private static final Duration COMMAND = Duration.ofSeconds(240);
    private static final Duration STOP = Duration.ofSeconds(20);
    private static final Pattern CLIENT_PORT = Pattern.compile("127\\.0\\.0\\.1[ :](\\d+)");

    private static Path scratch;
    private static Path compare;

    static List<Block> blocks() throws IOException {
        return Tutorial.read(FILE).blocks();
    }

    /**
     * Runs {@code bin/uloop --version} once, so that a build bin/uloop needs happens here, with
     * minutes to spare, rather than in a server that must be ready within two minutes.
     */
    @BeforeAll
    static void uloopBuilt() throws Exception {
        Shell s = Shell.run(ROOT, "bin/uloop --version", Duration.ofMinutes(5));
        assertEquals(0, s.exit(), () -> "bin/uloop does not run: " + s.describe());
    }

    @BeforeAll
    static void compareWrapper() throws IOException {
        scratch = Files.createTempDirectory("uloop-tutorial");
        compare = scratch.resolve("compare");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Files.writeString(compare, "#!/usr/bin/env bash\nexec '" + java + "' --enable-native-access=ALL-UNNAMED -cp '"
                + System.getProperty("java.class.path") + "' dev.uloop.bench.compare.Compare --results-dir '"
                + scratch.resolve("results") + "' --server-cpu -1 \"$@\"\n");
        Files.setPosixFilePermissions(compare, PosixFilePermissions.fromString("rwx------"));
    }

    @AfterAll
    static void removeScratch() throws IOException {
        if (scratch != null) {
            try (var files = Files.walk(scratch)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    @Timeout(10)
    void everyChapterHasCommandsThatRunAndAPlaceForTheLessonsNumbers() throws IOException {
        Tutorial t = Tutorial.read(FILE);
        assertEquals(List.of(), t.shellBlocksNotRun(), "every sh block is marked <!-- run -->");
        for (String chapter : List.of("1.", "2.", "3.", "4.", "5.", "6.")) {
            assertTrue(t.blocks().stream().anyMatch(b -> b.chapter().startsWith(chapter)), "chapter " + chapter
                    + " has a runnable block");
            assertTrue(t.lessonMarkers().entrySet().stream().anyMatch(e -> e.getKey().startsWith(chapter)
                    && e.getValue() > 0), "chapter " + chapter + " has a <!-- lesson: ... --> place");
        }
        for (Block b : t.blocks()) {
            assertTrue(b.steps().stream().filter(Step::server).count() <= 1, b + ": one server per block");
            for (Step s : b.steps()) {
                assertFalse(s.command().isEmpty(), b + ": empty command");
                if (s.server() || s.background()) {
                    assertTrue(Tutorial.PORT.matcher(s.command()).find(), b + ": a port the test can change in "
                            + s.command());
                }
            }
        }
    }

    @Test
    @Timeout(10)
    void thePythonShownIsTheSeedServersCode() throws IOException {
        String text = Files.readString(FILE);
        Matcher m = Pattern.compile("\n```python\n(.*?)\n```", Pattern.DOTALL).matcher(text);
        int checked = 0;
        while (m.find()) {
            String shown = m.group(1) + "\n";
            boolean found = false;
            try (var scripts = Files.list(ROOT.resolve("bench/seeds"))) {
                for (Path p : scripts.filter(p -> p.toString().endsWith(".py")).toList()) {
                    found |= Files.readString(p).contains(shown);
                }
            }
            assertTrue(found, "not in any bench/seeds/*.py as shown:\n" + shown);
            checked++;
        }
        assertTrue(checked > 0, "no python block in the tutorial");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blocks")
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void runs(Block tutorialBlock) throws Exception {
        assumeRunnable(tutorialBlock);
        Block block = tutorialBlock.withPorts(tutorialBlock.freePorts());
        List<Shell> servers = new ArrayList<>();
        List<Shell> background = new ArrayList<>();
        Map<Shell, Step> serverSteps = new java.util.HashMap<>();
        try {
            for (Step step : block.steps()) {
                String command = step.bare().startsWith("bench/compare ")
                        ? compare + step.bare().substring("bench/compare".length()) : step.bare();
                if (step.server()) {
                    Shell s = Shell.start(ROOT, command);
                    servers.add(s);
                    serverSteps.put(s, step);
                    assertTrue(s.awaitOutput(READY, SERVER_READY), () -> block + ": not ready: " + s.describe());
                    if (!step.dies() && step.expected() != null) {
                        assertTrue(s.output().contains(step.expected()), () -> block + ": the ready line should say "
                                + step.expected() + ": " + s.describe());
                    }
                } else if (step.background()) {
                    int port = clientPort(step);
                    int before = Shell.clientsOf(port);
                    Shell s = Shell.start(ROOT, command);
                    background.add(s);
                    awaitConnected(block, s, port, before);
                } else {
                    check(block, step, Shell.run(ROOT, command, COMMAND));
                }
            }
            for (Shell b : background) {
                b.stop(STOP);
            }
            for (Shell s : servers) {
                Step step = serverSteps.get(s);
                if (step.dies()) {
                    assertTrue(s.awaitExit(STOP), () -> block + ": should have died: " + s.describe());
                    assertNotEquals(0, s.exit(), () -> block + ": should have failed: " + s.describe());
                    assertTrue(s.output().contains(step.expected()), () -> block + ": should have said "
                            + step.expected() + ": " + s.describe());
                } else {
                    assertTrue(s.alive(), () -> block + ": the server should still run: " + s.describe());
                    assertTrue(s.stop(STOP), () -> block + ": did not stop on SIGTERM: " + s.describe());
                    assertEquals(0, s.exit(), () -> block + ": exit status after SIGTERM: " + s.describe());
                }
            }
        } finally {
            background.forEach(Shell::close);
            servers.forEach(Shell::close);
        }
    }

    private static void check(Block block, Step step, Shell r) {
        if (step.fails()) {
            assertNotEquals(0, r.exit(), () -> block + ": should fail: " + r.describe());
            return;
        }
        assertEquals(0, r.exit(), () -> block + ": " + r.describe());
        String expected = step.expected();
        if ("nothing".equals(expected)) {
            assertEquals("", r.stdout().strip(), () -> block + ": should print nothing: " + r.describe());
        } else if (expected != null) {
            assertTrue(r.output().contains(expected), () -> block + ": should print " + expected + ": " + r.describe());
        }
        Pattern shape = step.shape();
        if (shape != null) {
            assertTrue(shape.matcher(r.stdout()).find(), () -> block + ": should print something like "
                    + step.comment().substring(5) + ": " + r.describe());
        }
    }

    private static int clientPort(Step step) {
        Matcher m = CLIENT_PORT.matcher(step.command());
        assertTrue(m.find(), "a background client names its server's port: " + step.command());
        return Integer.parseInt(m.group(1));
    }

    /** Waits until the background client's connection is established (it stays silent, so nothing else shows it). */
    private static void awaitConnected(Block block, Shell client, int port, int before) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (Shell.clientsOf(port) <= before) {
            assertTrue(client.alive(), () -> block + ": the background client ended: " + client.describe());
            assertTrue(System.nanoTime() < deadline, () -> block + ": not connected within 20 s: " + client.describe());
            client.awaitExit(Duration.ofMillis(50));
        }
    }

    private static void assumeRunnable(Block block) {
        String all = String.join("\n", block.steps().stream().map(Step::command).toList());
        if (all.contains("python3")) {
            assumeTrue(Servers.onPath("python3") != null, "python3 not installed (Debian package python3)");
        }
        if (all.contains("pgrep")) {
            assumeTrue(Servers.onPath("pgrep") != null, "pgrep not installed (Debian package procps)");
        }
        if (all.matches("(?s).*\\bnc .*")) {
            assumeTrue(openBsdNc(), "nc is not OpenBSD netcat (Debian package netcat-openbsd)");
        }
        if ("io_uring".equals(block.requires())) {
            assumeTrue(Backend.IO_URING_COMPLETION.isAvailable(), "io_uring's completion mode is not available here");
        }
    }

    private static Boolean openBsdNc;

    private static synchronized boolean openBsdNc() {
        if (openBsdNc == null) {
            openBsdNc = false;
            if (Servers.onPath("nc") != null) {
                try {
                    Shell s = Shell.run(ROOT, "nc -h", Duration.ofSeconds(10));
                    openBsdNc = s.output().contains("OpenBSD");
                } catch (IOException | InterruptedException | AssertionError e) {
                    openBsdNc = false;
                }
            }
        }
        return openBsdNc;
    }

    /** The repository root: the nearest directory, from the working directory up, with docs/tutorial.md. */
    private static Path findRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("docs/tutorial.md")) && Files.isRegularFile(p.resolve("bin/uloop"))) {
                return p;
            }
        }
        throw new IllegalStateException("no docs/tutorial.md above " + Path.of("").toAbsolutePath());
    }
}
