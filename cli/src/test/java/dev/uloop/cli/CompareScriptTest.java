package dev.uloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/compare builds the bench module only when it has to: when its jar is missing or a
 * source file or pom is newer, never for --help or --list when a jar is there, never with
 * ULOOP_COMPARE_NO_BUILD. Runs a copy of the script in a fake checkout whose bin/maven
 * only writes down that it ran (and "builds" the jar) and whose java prints its arguments.
 */
@DisabledOnOs(OS.WINDOWS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompareScriptTest {
    private static final Path ROOT = repoRoot();
    private static final Instant NOW = Instant.now();

    @TempDir
    Path tree;

    private Path jar;
    private Path source;
    private Path mavenLog;

    /** The checkout: surefire runs in cli/, whose parent holds bin/ and bench/. */
    private static Path repoRoot() {
        Path basedir = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        return basedir.getParent() != null && Files.isDirectory(basedir.getParent().resolve("bench"))
                ? basedir.getParent()
                : basedir;
    }

    private static void script(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @BeforeEach
    void fakeCheckout() throws IOException {
        assumeTrue(Files.isRegularFile(ROOT.resolve("bench/compare")), "bench/compare not found from " + ROOT);
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs /bin/bash");
        script(tree.resolve("bench/compare"), Files.readString(ROOT.resolve("bench/compare")));
        mavenLog = tree.resolve("maven.log");
        jar = tree.resolve("bench/target/lib/uloop-bench-0.1.0.jar");
        script(tree.resolve("bin/maven"), "#!/bin/bash\n"
                + "echo \"$*\" >> '" + mavenLog + "'\n"
                + "mkdir -p '" + jar.getParent() + "' && touch '" + jar + "'\n");
        Path jdk = tree.resolve("jdk");
        script(tree.resolve("bin/find-jdk"), "#!/bin/bash\necho '" + jdk + "'\n");
        script(jdk.resolve("bin/java"), "#!/bin/bash\necho \"java $*\"\n");
        for (String pom : List.of("pom.xml", "core/pom.xml", "cli/pom.xml", "bench/pom.xml")) {
            touch(tree.resolve(pom), NOW.minus(Duration.ofHours(3)));
        }
        source = tree.resolve("bench/src/main/java/dev/uloop/bench/compare/Compare.java");
        touch(source, NOW.minus(Duration.ofHours(3)));
        touch(tree.resolve("core/src/main/java/dev/uloop/EventLoop.java"), NOW.minus(Duration.ofHours(3)));
        // A folder changes when a file in it is added or removed, which find -newer sees too.
        try (Stream<Path> all = Files.walk(tree)) {
            for (Path dir : all.filter(Files::isDirectory).toList()) {
                Files.setLastModifiedTime(dir, FileTime.from(NOW.minus(Duration.ofHours(3))));
            }
        }
    }

    private static void touch(Path p, Instant when) throws IOException {
        Files.createDirectories(p.getParent());
        if (!Files.exists(p)) {
            Files.writeString(p, "");
        }
        Files.setLastModifiedTime(p, FileTime.from(when));
    }

    /** A jar built two hours ago: newer than the sources unless a test touches one. */
    private void builtJar() throws IOException {
        touch(jar, NOW.minus(Duration.ofHours(2)));
    }

    record Result(int status, String out, String err, int builds) {}

    private Result compare(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/bin/bash", tree.resolve("bench/compare").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("ULOOP_COMPARE_NO_BUILD");
        pb.environment().putAll(env);
        pb.environment().put("TMPDIR", tree.toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path out = tree.resolve("out.txt");
        Path err = tree.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(50, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bench/compare did not finish");
        }
        int builds = Files.exists(mavenLog) ? Files.readAllLines(mavenLog).size() : 0;
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), builds);
    }

    private static void assertRanCompare(Result r, String arg) {
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("dev.uloop.bench.compare.Compare") && r.out().contains(arg), r::toString);
    }

    @Test
    void helpAndListNeedNoBuildWhenTheJarIsThere() throws Exception {
        builtJar();
        touch(source, NOW.minus(Duration.ofHours(1)));      // a source newer than the jar
        for (String arg : List.of("--help", "--list", "-h")) {
            Result r = compare(Map.of(), arg);
            assertRanCompare(r, arg);
            assertEquals(0, r.builds(), () -> arg + " built: " + r);
            assertFalse(r.err().contains("building"), r::toString);
        }
    }

    @Test
    void anUpToDateJarIsNotRebuilt() throws Exception {
        builtJar();
        Result r = compare(Map.of(), "--quick");
        assertRanCompare(r, "--quick");
        assertEquals(0, r.builds(), r::toString);
    }

    @Test
    void aNewerSourceOrPomMeansABuild() throws Exception {
        builtJar();
        touch(source, NOW.minus(Duration.ofHours(1)));
        Result r = compare(Map.of(), "--quick");
        assertRanCompare(r, "--quick");
        assertEquals(1, r.builds(), r::toString);
        assertTrue(r.err().contains("bench/compare: building"), r::toString);
        assertEquals("-q -pl bench -am -DskipTests package", Files.readAllLines(mavenLog).get(0));
        // The jar now counts as newer than the sources: the next run does not build again.
        assertEquals(1, compare(Map.of(), "--quick").builds());

        touch(tree.resolve("core/pom.xml"), NOW.plus(Duration.ofMinutes(1)));
        assertEquals(2, compare(Map.of(), "--quick").builds());
    }

    @Test
    void withoutAJarEvenHelpBuilds() throws Exception {
        Result r = compare(Map.of(), "--help");
        assertRanCompare(r, "--help");
        assertEquals(1, r.builds(), r::toString);
    }

    @Test
    void noBuildMeansNoBuild() throws Exception {
        builtJar();
        touch(source, NOW.minus(Duration.ofHours(1)));
        Result r = compare(Map.of("ULOOP_COMPARE_NO_BUILD", "1"), "--quick");
        assertRanCompare(r, "--quick");
        assertEquals(0, r.builds(), r::toString);
    }

    @Test
    void noBuildWithoutAJarSaysSo() throws Exception {
        Result r = compare(Map.of("ULOOP_COMPARE_NO_BUILD", "1"), "--list");
        assertEquals(1, r.status(), r::toString);
        assertEquals(0, r.builds(), r::toString);
        assertEquals("", r.out());
        assertTrue(r.err().contains("ULOOP_COMPARE_NO_BUILD is set but") && r.err().contains("no uloop-bench jar"),
                r::toString);
    }
}
