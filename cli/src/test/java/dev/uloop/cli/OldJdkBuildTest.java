package dev.uloop.cli;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A build started with plain {@code mvn} on a JDK older than 22 stops at once with one line
 * that says what to install and that bin/maven finds it, instead of the compiler's
 * "release version 22 not supported". Runs the real Maven on a real old JDK (the machine's
 * default Java 17 here); skipped where there is none.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OldJdkBuildTest {
    private static final Pattern VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

    /** A JDK older than 22 in the standard JVM folder, from its {@code release} file. */
    private static Optional<Path> oldJdk() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(jvms)) {
            return dirs.filter(d -> Files.isExecutable(d.resolve("bin/javac")))
                    .filter(d -> {
                        try {
                            Matcher m = VERSION.matcher(Files.readString(d.resolve("release")));
                            return m.find() && Integer.parseInt(m.group(1)) < 22;
                        } catch (IOException | RuntimeException e) {
                            return false;
                        }
                    })
                    .findFirst();
        }
    }

    private static Optional<Path> mvn() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "mvn");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Test
    void plainMavenOnAnOldJdkSaysWhatToDo() throws Exception {
        Optional<Path> jdk = oldJdk();
        assumeTrue(jdk.isPresent(), "no JDK older than 22 in /usr/lib/jvm");
        Optional<Path> mvn = mvn();
        assumeTrue(mvn.isPresent(), "no mvn on PATH");
        Path root = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().getParent();
        assumeTrue(Files.isRegularFile(root.resolve("pom.xml")), "no pom.xml at " + root);
        ProcessBuilder pb = new ProcessBuilder(mvn.get().toString(), "-B", "-o", "-N", "validate")
                .directory(root.toFile())
                .redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", jdk.get().toString());
        pb.environment().remove("MAVEN_OPTS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "mvn did not end");
        assertNotEquals(0, p.exitValue(), out);
        assertTrue(out.contains("uloop needs JDK 22 or newer to build") && out.contains("bin/maven"), out);
    }
}
