package dev.uloop.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README shows the examples exactly as they are compiled and run. */
class ReadmeTest {
    private static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("README.md"))) {
            p = p.getParent();
        }
        return p;
    }

    @Test
    void readmeContainsTheUdpTimeServerVerbatim() throws IOException {
        Path root = root();
        String readme = Files.readString(root.resolve("README.md"));
        String example = Files.readString(root.resolve("examples/src/main/java/dev/uloop/examples/UdpTimeServer.java"));
        assertTrue(readme.contains("```java\n" + example + "```"),
                "README.md's example differs from examples/src/main/java/dev/uloop/examples/UdpTimeServer.java");
    }

    @Test
    void readmeContainsTheGroupEchoServerVerbatim() throws IOException {
        Path root = root();
        String readme = Files.readString(root.resolve("README.md"));
        String example = Files.readString(root.resolve("examples/src/main/java/dev/uloop/examples/GroupEchoServer.java"));
        assertTrue(readme.contains("```java\n" + example + "```"),
                "README.md's example differs from examples/src/main/java/dev/uloop/examples/GroupEchoServer.java");
    }

    @Test
    void quickStartIsTwoCommands() throws IOException {
        String readme = Files.readString(root().resolve("README.md"));
        assertTrue(readme.contains("```sh\nbin/uloop serve daytime "), "quick start: run a server");
        assertTrue(readme.contains("\nbin/test "), "quick start: run the tests");
    }
}
