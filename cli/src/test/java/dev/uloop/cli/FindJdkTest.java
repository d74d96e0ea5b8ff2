package dev.uloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs bin/find-jdk (and bin/uloop up to its JDK check) against fake JDKs: scripts named
 * {@code java} that print a version, as {@code java -version} does.
 */
@DisabledOnOs(OS.WINDOWS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FindJdkTest {
    private static final Path ROOT = repoRoot();

    @TempDir
    Path tmp;

    private Path pathDir;
    private Path jvmDir;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Files.isRegularFile(ROOT.resolve("bin/find-jdk")), "bin/find-jdk not found from " + ROOT);
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs /bin/bash");
        pathDir = Files.createDirectories(tmp.resolve("path"));
        jvmDir = Files.createDirectories(tmp.resolve("jvm"));
    }

    /** The checkout: surefire runs in cli/, whose parent holds bin/. */
    private static Path repoRoot() {
        Path basedir = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        return basedir.getParent() != null && Files.isDirectory(basedir.getParent().resolve("bin"))
                ? basedir.getParent()
                : basedir;
    }

    /** A script that prints {@code version} the way {@code java -version} does. */
    private static void fakeJava(Path bin, String version) throws IOException {
        Files.createDirectories(bin);
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\n"
                + "echo 'openjdk version \"" + version + "\" 2025-01-01' >&2\n"
                + "echo 'OpenJDK Runtime Environment (build " + version + ")' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** A fake JDK home with bin/java (and bin/javac when {@code jdk}). */
    private Path fakeJdk(Path home, String version, boolean jdk) throws IOException {
        fakeJava(home.resolve("bin"), version);
        if (jdk) {
            Path javac = home.resolve("bin/javac");
            Files.writeString(javac, "#!/bin/sh\nexit 0\n");
            Files.setPosixFilePermissions(javac, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return home;
    }

    record Result(int status, String out, String err) {}

    private Result run(String script, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", ROOT.resolve(script).toString(), "--version");
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(50, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(script + " did not finish");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8).strip(),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** PATH holds only the fake java, JAVA_HOME is a fake JDK 17, the JVM folder is empty. */
    private Map<String, String> onlyJava17() throws IOException {
        fakeJava(pathDir, "17.0.2");
        Path home17 = fakeJdk(tmp.resolve("jdk-17"), "17.0.2", true);
        Map<String, String> env = new HashMap<>();
        env.put("PATH", pathDir.toString());
        env.put("JAVA_HOME", home17.toString());
        env.put("ULOOP_JVM_DIR", jvmDir.toString());
        return env;
    }

    @Test
    void failsWithExit2WhenEverythingIsTooOld() throws Exception {
        Map<String, String> env = onlyJava17();
        Result r = run("bin/find-jdk", env);
        assertEquals(2, r.status(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains("needs a JDK 22 or newer"), r.err());
        assertTrue(r.err().contains("JAVA_HOME=" + env.get("JAVA_HOME") + " is 17"), r.err());
        assertTrue(r.err().contains("java on PATH (" + pathDir.resolve("java") + ") is 17"), r.err());
        assertTrue(r.err().contains("no JDK under " + jvmDir), r.err());
        assertTrue(r.err().contains("set JAVA_HOME") || r.err().contains("JAVA_HOME at"), r.err());
    }

    @Test
    void uloopStopsWithTheSameMessage() throws Exception {
        Result r = run("bin/uloop", onlyJava17());
        assertEquals(2, r.status(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains("needs a JDK 22 or newer"), r.err());
    }

    @Test
    void aNewEnoughJavaHomeWins() throws Exception {
        Map<String, String> env = onlyJava17();
        Path home = fakeJdk(tmp.resolve("jdk-23"), "23.0.1", true);
        fakeJdk(jvmDir.resolve("jdk-25"), "25", true);
        env.put("JAVA_HOME", home.toString());
        Result r = run("bin/find-jdk", env);
        assertEquals(0, r.status(), r.err());
        assertEquals(home.toString(), r.out());
    }

    @Test
    void fallsBackToTheNewestJdkInTheJvmFolder() throws Exception {
        Map<String, String> env = onlyJava17();
        fakeJdk(jvmDir.resolve("jdk-22"), "22-ea", true);
        Path newest = fakeJdk(jvmDir.resolve("jdk-25"), "25.0.1", true);
        fakeJdk(jvmDir.resolve("jre-26"), "26", false); // a runtime without javac cannot build
        fakeJdk(jvmDir.resolve("jdk-8"), "1.8.0_292", true);
        Result r = run("bin/find-jdk", env);
        assertEquals(0, r.status(), r.err());
        assertHome(newest, r.out());
        assertEquals("", r.err());
    }

    @Test
    void readsTheReleaseFile() throws Exception {
        Map<String, String> env = onlyJava17();
        Path home = fakeJdk(jvmDir.resolve("temurin"), "17", true); // java says 17, release says 24
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"24.0.2\"\n");
        Result r = run("bin/find-jdk", env);
        assertEquals(0, r.status(), r.err());
        assertHome(home, r.out());
    }

    @Test
    void javaOnPathIsUsedWhenNewEnough() throws Exception {
        Map<String, String> env = onlyJava17();
        Path home = fakeJdk(tmp.resolve("jdk-22"), "22.0.2", true);
        env.put("PATH", home.resolve("bin") + ":" + pathDir);
        Result r = run("bin/find-jdk", env);
        assertEquals(0, r.status(), r.err());
        assertHome(home, r.out());
    }

    /** find-jdk resolves symbolic links with readlink when the bare PATH has it, else keeps the path. */
    private static void assertHome(Path expected, String actual) throws IOException {
        assertTrue(List.of(expected.toString(), expected.toRealPath().toString()).contains(actual),
                "expected " + expected + ", got " + actual);
    }
}
