package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * bin/uloop's JVM options. The heap: capped at 256 MiB by default, so that a daemon's heap fits a small
 * machine instead of growing to a quarter of its memory; a limit the user gives (in
 * ULOOP_JAVA_OPTS, JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS) is left alone. Checked on the
 * command line of the running JVM (bin/uloop execs java, so the server's pid is the JVM's).
 * The ahead-of-time cache: made once per build and used on JDK 25+, unless ULOOP_AOT=0.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherTest {
    @BeforeAll
    @Timeout(value = 6, unit = TimeUnit.MINUTES)   // bin/uloop may have to build first
    static void build() {
        UloopServer.ensureBuilt();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ''                                      | -Xmx256m
            ULOOP_JAVA_OPTS=-Xmx64m                 | -Xmx64m
            ULOOP_JAVA_OPTS=-XX:MaxRAMPercentage=5  | ''
            JAVA_TOOL_OPTIONS=-Xmx96m               | ''
            JDK_JAVA_OPTIONS=-Xmx96m                | ''
            """)
    void heapLimitDefaultsTo256MiBUnlessTheUserSetsOne(String env, String expected) throws Exception {
        List<String> prefix = env.isEmpty() ? List.of("env") : List.of("env", env);
        try (UloopServer s = UloopServer.startUnder(prefix, "echo", "--port", "0", "--tcp")) {
            List<String> heapFlags = Arrays.stream(cmdline(s.pid())).filter(a -> a.startsWith("-Xmx")).toList();
            assertEquals(expected.isEmpty() ? List.of() : List.of(expected), heapFlags,
                    () -> "the JVM's -Xmx options with " + (env.isEmpty() ? "no heap setting" : env));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ''                               | true
            ULOOP_AOT=0                      | false
            ULOOP_JAVA_OPTS=-XX:-UseCompressedOops | true
            """)
    void startsFromTheAheadOfTimeCacheOnJdk25Silently(String env, boolean used) throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "ahead-of-time caches of this kind need JDK 25");
        List<String> prefix = env.isEmpty() ? List.of("env") : List.of("env", env);
        try (UloopServer s = UloopServer.startUnder(prefix, "daytime", "--port", "0", "--tcp")) {
            List<String> aot = Arrays.stream(cmdline(s.pid())).filter(a -> a.startsWith("-XX:AOTCache=")).toList();
            assertEquals(used ? 1 : 0, aot.size(), () -> "AOT options with " + env + ": " + aot);
            if (used) {
                assertTrue(Files.size(Path.of(aot.get(0).substring("-XX:AOTCache=".length()))) > 1_000_000,
                        "the cache bin/uloop made");
            }
            // A cache the JVM cannot use (here: made with compressed oops, run without) is ignored without a word.
            assertFalse(s.stderr().contains("AOT") || s.stderr().contains("CDS") || s.stderr().contains("warning"),
                    () -> "stderr with " + env + ":\n" + s.stderr());
        }
    }

    private static String[] cmdline(long pid) throws Exception {
        return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8).split("\0");
    }
}
