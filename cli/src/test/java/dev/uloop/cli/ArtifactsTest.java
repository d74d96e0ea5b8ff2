package dev.uloop.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What {@code bin/maven -pl core -am install} publishes is usable on its own: the library's
 * pom names no parent (a project that depends on uloop-core needs nothing else) and carries
 * what Maven Central asks for; sources and javadoc jars come with the jar. The core module
 * is built before this one, so its outputs are there.
 */
class ArtifactsTest {
    private static final Path CORE = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .toAbsolutePath().getParent().resolve("core");

    @Test
    void theInstalledPomStandsOnItsOwnAndIsReadyForPublishing() throws IOException {
        Path pom = CORE.resolve(".flattened-pom.xml");
        assumeTrue(Files.isRegularFile(pom), "core was not built in this checkout");
        String xml = Files.readString(pom);
        assertFalse(xml.contains("<parent>"), "the installed pom refers to a parent:\n" + xml);
        for (String element : new String[] {"<licenses>", "Apache License, Version 2.0", "<scm>", "<url>",
            "<developers>", "<description>", "<artifactId>uloop-core</artifactId>"}) {
            assertTrue(xml.contains(element), "no " + element + " in the installed pom:\n" + xml);
        }
        assertFalse(xml.contains("<dependency>"), "uloop-core must depend on nothing:\n" + xml);
    }

    @Test
    void sourcesAndJavadocJarsComeWithTheJar() throws IOException {
        Path target = CORE.resolve("target");
        assumeTrue(Files.isRegularFile(target.resolve("uloop-core-0.1.0.jar")), "core was not packaged");
        assertTrue(Files.isRegularFile(target.resolve("uloop-core-0.1.0-sources.jar")));
        assertTrue(Files.isRegularFile(target.resolve("uloop-core-0.1.0-javadoc.jar")));
    }
}
