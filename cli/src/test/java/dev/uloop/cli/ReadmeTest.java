package dev.uloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and the chapters under docs/ show the examples exactly as they are compiled and
 * run, link only to files that exist, and the README stays a front page.
 */
class ReadmeTest {
    private static final String EXAMPLES = "examples/src/main/java/dev/uloop/examples/";
    private static final String JAVA_FENCE = "```java\n";
    private static final Pattern CLASS = Pattern.compile("public final class (\\w+)");
    /** A markdown link or image, {@code [text](target)}; the target has no spaces here. */
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    /** A fenced block, from its opening line to its closing one: code is not checked for links. */
    private static final Pattern FENCED = Pattern.compile("(?ms)^```.*?^```");

    private static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("README.md"))) {
            p = p.getParent();
        }
        return p;
    }

    /** README.md, then every docs/*.md. */
    private static List<Path> markdownFiles(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    @Test
    void quickStartIsTwoCommands() throws IOException {
        String readme = Files.readString(root().resolve("README.md"));
        assertTrue(readme.contains("```sh\nbin/uloop serve daytime "), "quick start: run a server");
        assertTrue(readme.contains("\nbin/test "), "quick start: run the tests");
    }

    @Test
    void readmeContainsTheTcpTimeServerVerbatim() throws IOException {
        Path root = root();
        String readme = Files.readString(root.resolve("README.md"));
        String example = Files.readString(root.resolve(EXAMPLES + "TcpTimeServer.java"));
        assertTrue(readme.contains(JAVA_FENCE + example + "```"),
                "README.md's example differs from " + EXAMPLES + "TcpTimeServer.java");
    }

    @Test
    void everyExampleShownIsTheExampleFile() throws IOException {
        Path root = root();
        int checked = 0;
        for (Path md : markdownFiles(root)) {
            String text = Files.readString(md);
            Path name = root.relativize(md);
            int from = 0;
            while (true) {
                int fence = text.indexOf("\n" + JAVA_FENCE, from);     // a fence opens a line
                if (fence < 0) {
                    break;
                }
                int start = fence + 1 + JAVA_FENCE.length();
                int end = text.indexOf("\n```", start);
                assertTrue(end >= 0, name + ": a ```java block is not closed");
                from = end + 4;
                String block = text.substring(start, end + 1);
                if (!block.startsWith("package dev.uloop.examples;")) {
                    continue;
                }
                Matcher m = CLASS.matcher(block);
                assertTrue(m.find(), name + ": an example without a 'public final class' line");
                Path source = root.resolve(EXAMPLES + m.group(1) + ".java");
                assertTrue(Files.exists(source), name + " shows " + m.group(1) + ", which is not in " + EXAMPLES);
                assertEquals(Files.readString(source), block,
                        name + ": the example differs from " + EXAMPLES + m.group(1) + ".java");
                checked++;
            }
        }
        assertTrue(checked > 0, "no example found in README.md or docs/");
    }

    @Test
    void relativeLinksPointToFiles() throws IOException {
        Path root = root();
        List<String> broken = new ArrayList<>();
        for (Path md : markdownFiles(root)) {
            String text = FENCED.matcher(Files.readString(md)).replaceAll("");
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String target = m.group(1);
                if (target.startsWith("http://") || target.startsWith("https://") || target.startsWith("mailto:")) {
                    continue;
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                if (file.isEmpty()) {
                    continue;       // an anchor in the same file
                }
                if (!Files.exists(md.getParent().resolve(file).normalize())) {
                    broken.add(root.relativize(md) + ": " + target);
                }
            }
        }
        assertTrue(broken.isEmpty(), "links to files that do not exist: " + broken);
    }

    @Test
    void readmeIsAFrontPage() throws IOException {
        String readme = Files.readString(root().resolve("README.md"));
        assertTrue(readme.length() < 12_000,
                "README.md has " + readme.length() + " characters; the details belong in docs/");
    }
}
