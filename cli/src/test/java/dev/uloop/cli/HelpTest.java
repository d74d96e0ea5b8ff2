package dev.uloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every command's {@code --help} fits 80 columns without picocli having to break the
 * lines written for it, and {@code uloop --help} sums each command up in one sentence.
 */
class HelpTest {
    private static final int WIDTH = 80;

    /** {@code []} for {@code uloop --help}, then {@code [backends]}, {@code [serve]}... */
    static Stream<List<String>> commands() {
        List<List<String>> all = new ArrayList<>();
        all.add(List.of());
        for (String name : Main.newCommandLine().getSubcommands().keySet()) {
            all.add(List.of(name));
        }
        return all.stream();
    }

    private static CommandSpec spec(List<String> command) {
        CommandLine cl = Main.newCommandLine();
        for (String name : command) {
            cl = cl.getSubcommands().get(name);
        }
        return cl.getCommandSpec();
    }

    private static MainTest.Result help(List<String> command) {
        List<String> args = new ArrayList<>(command);
        args.add("--help");
        MainTest.Result r = MainTest.run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        return r;
    }

    @ParameterizedTest
    @MethodSource("commands")
    void helpFitsEightyColumns(List<String> command) {
        MainTest.Result r = help(command);
        for (String line : r.outLines()) {
            assertTrue(line.length() <= WIDTH, () -> "uloop " + String.join(" ", command) + " --help has a line of "
                    + line.length() + " characters:\n" + line + "\n\n" + r.out());
        }
    }

    /**
     * The description and footer lines appear in the help as written: none is so long that
     * picocli breaks it in two (which leaves a stray word on a line of its own).
     */
    @ParameterizedTest
    @MethodSource("commands")
    void descriptionAndFooterLinesAreNotRewrapped(List<String> command) {
        MainTest.Result r = help(command);
        CommandSpec spec = spec(command);
        List<String> written = new ArrayList<>(List.of(spec.usageMessage().description()));
        written.addAll(List.of(spec.usageMessage().footer()));
        List<String> shown = r.outLines();
        for (String line : written) {
            if (line.isBlank()) {
                continue;
            }
            assertTrue(line.length() <= WIDTH, () -> "longer than " + WIDTH + " characters: " + line);
            assertTrue(shown.contains(line), () -> "not shown as one line by uloop " + String.join(" ", command)
                    + " --help:\n" + line + "\n\n" + r.out());
        }
    }

    /** Each command's first description line is one whole sentence. */
    @ParameterizedTest
    @MethodSource("commands")
    void theFirstDescriptionLineIsASentence(List<String> command) {
        String first = spec(command).usageMessage().description()[0];
        assertTrue(Character.isUpperCase(first.charAt(0)), first);
        assertTrue(first.endsWith("."), first);
        assertFalse(first.substring(0, first.length() - 1).contains(". "), () -> "more than one sentence: " + first);
    }

    /** The list of commands in {@code uloop --help}: one summary each, ending with a full stop. */
    @Test
    void theCommandSummariesAreSentences() {
        MainTest.Result r = help(List.of());
        Map<String, String> summaries = commandSummaries(r.outLines());
        assertEquals(List.copyOf(Main.newCommandLine().getSubcommands().keySet()), List.copyOf(summaries.keySet()),
                r.out());
        summaries.forEach((name, summary) -> {
            assertTrue(summary.endsWith("."), () -> name + ": " + summary);
            assertTrue(Character.isUpperCase(summary.charAt(0)), () -> name + ": " + summary);
        });
        assertTrue(summaries.get("serve").contains("SNTP"), summaries.get("serve"));
    }

    @Test
    void theTopLevelDescriptionNamesEveryBackendKind() {
        String out = help(List.of()).out();
        assertTrue(out.contains("epoll, io_uring, poll and select"), out);
    }

    /**
     * The "Commands:" section: {@code "  name  Summary..."}, continuation lines indented
     * further, up to the next blank line.
     */
    static Map<String, String> commandSummaries(List<String> lines) {
        Map<String, String> summaries = new LinkedHashMap<>();
        int i = lines.indexOf("Commands:");
        assertTrue(i >= 0, () -> "no Commands: section in\n" + String.join("\n", lines));
        String current = null;
        for (String line : lines.subList(i + 1, lines.size())) {
            if (line.isBlank()) {
                break;
            }
            if (line.matches("  \\S.*")) {
                String[] parts = line.strip().split("\\s+", 2);
                current = parts[0];
                summaries.put(current, parts.length > 1 ? parts[1] : "");
            } else {
                String c = current;
                assertTrue(c != null, line);
                summaries.put(c, (summaries.get(c) + " " + line.strip()).strip());
            }
        }
        return summaries;
    }
}
