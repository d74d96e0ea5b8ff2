package dev.uloop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.Backend;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Runs the command line in-process and checks its output and exit status. */
class MainTest {

    /** The outcome of one run. */
    record Result(int status, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }

        List<String> outLines() {
            return out.lines().toList();
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void backendsListsEveryBackend() {
        Result r = run("backends");
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        for (Backend b : Backend.values()) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(b.id() + " ")), b + " missing in\n" + r.out());
        }
        assertTrue(r.out().contains("O(ready fds)"), r.out());
        assertTrue(r.out().contains("O(registered fds)"), r.out());
        assertTrue(r.out().contains("O(highest fd)"), r.out());
        assertEquals(1, r.out().lines().filter(l -> l.contains("(default)")).count(), r.out());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void epollIsTheDefaultOnLinux() {
        Result r = run("backends");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.matches("epoll \\(default\\)\\s+yes\\s+.*")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("poll\\s+yes\\s+.*")), r.out());
        assertTrue(r.out().contains("Loops use epoll"), r.out());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void ioUringIsListedWithWhetherThisKernelAllowsIt() {
        Result r = run("backends");
        assertEquals(0, r.status(), r.err());
        String yesNo = Backend.IO_URING.isAvailable() ? "yes" : "no";
        assertTrue(r.out().lines().anyMatch(l -> l.matches("io_uring\\s+" + yesNo + "\\s+O\\(ready fds\\).*")), r.out());
        Backend.IO_URING.unavailableReason().ifPresentOrElse(
                why -> assertTrue(r.out().contains("io_uring is not available: " + why + "."), r.out()),
                () -> assertFalse(r.out().contains("is not available"), r.out()));
    }

    @Test
    void ioUringCanBeChosenByProperty() {
        withBackendProperty("io-uring", () -> {
            Result r = run("backends");
            if (Backend.IO_URING.isAvailable()) {
                assertEquals(0, r.status(), r.err());
                assertTrue(r.out().contains("-Duloop.backend=io-uring: loops use io_uring."), r.out());
            } else {
                assertEquals(1, r.status());
                assertTrue(r.err().startsWith("uloop: the io_uring backend is not available: "), r.err());
            }
        });
    }

    /** The output ends by saying how to choose another backend: the option, and the property. */
    @Test
    void backendsEndsWithHowToChooseAnother() {
        Result r = run("backends");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.outLines();
        String end = String.join("\n", lines.subList(lines.size() - 2, lines.size()));
        assertTrue(end.contains("--backend NAME (uloop serve, example, bench)"), r.out());
        assertTrue(end.contains("-Duloop.backend=NAME"), r.out());
        withBackendProperty(Backend.POLL.id(), () -> {
            Result p = run("backends");
            assertEquals(0, p.status(), p.err());
            assertEquals("Choose another for one command with --backend NAME (uloop serve, example, bench).",
                    p.outLines().getLast(), p.out());
        });
    }

    @Test
    void backendsShowsTheChosenBackend() {
        withBackendProperty(Backend.POLL.id(), () -> {
            Result r = run("backends");
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("-Duloop.backend=poll: loops use poll."), r.out());
        });
    }

    @Test
    void anUnknownBackendPropertyFailsWithOneLine() {
        withBackendProperty("kqueue", () -> {
            Result r = run("backends");
            assertEquals(1, r.status());
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().startsWith("uloop: -Duloop.backend=kqueue: unknown backend 'kqueue'"), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        });
    }

    @Test
    void versionPrintsTheVersionAndRuntime() {
        Result r = run("--version");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).matches("uloop \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), r.out());
        assertEquals("uloop " + Main.version(), lines.get(0));
        assertTrue(lines.get(1).contains("Java " + Runtime.version()), r.out());
        assertTrue(lines.get(1).contains(System.getProperty("os.arch")), r.out());
    }

    @Test
    void helpListsTheSubcommands() {
        Result r = run("--help");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("Usage: uloop "), r.out());
        assertTrue(r.out().contains("backends"), r.out());
        assertEquals(0, run("backends", "--help").status());
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        Result r = run("--bogus");
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertEquals(List.of("uloop: unknown option '--bogus'", "Try 'uloop --help'."), r.errLines());
    }

    @Test
    void anUnknownSubcommandOptionPointsAtItsHelp() {
        Result r = run("backends", "--bogus");
        assertEquals(2, r.status());
        assertEquals(List.of("uloop: unknown option '--bogus'", "Try 'uloop backends --help'."), r.errLines());
    }

    @Test
    void aMistypedSubcommandGetsASuggestion() {
        Result r = run("backend");
        assertEquals(2, r.status());
        assertEquals(2, r.errLines().size(), r.err());
        assertTrue(r.errLines().get(0).startsWith("uloop: "), r.err());
        assertTrue(r.errLines().get(0).contains("did you mean 'backends'"), r.err());
    }

    @Test
    void aMistypedSubcommandIsAnUnknownCommand() {
        Result r = run("backend", "extra");
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertTrue(r.errLines().get(0).startsWith("uloop: unknown command 'backend' (did you mean 'backends'"), r.err());
        assertEquals("Try 'uloop --help'.", r.errLines().get(1));
    }

    /** Bad usage: exactly {@code uloop: <message>} and {@code Try 'uloop <command> --help'.}, exit 2. */
    static void assertUsageError(String command, String message, String... args) {
        Result r = run(args);
        assertEquals(2, r.status(), r.err());
        assertEquals("", r.out());
        assertEquals(List.of("uloop: " + message, "Try 'uloop " + command + " --help'."), r.errLines());
    }

    @Test
    void anUnknownExampleReadsLikeAnUnknownService() {
        assertUsageError("example", "unknown example 'nosuch'; choose udp-time, tcp-time, echo, blocking-time,"
                + " pipe-events or group-echo", "example", "nosuch");
        assertUsageError("serve", "unknown service 'nosuch'; choose echo, daytime, time or sntp", "serve", "nosuch");
        assertUsageError("client", "unknown service 'nosuch'; choose echo, daytime, time or sntp", "client", "nosuch");
    }

    @Test
    void anUnknownOptionReadsTheSameInEveryCommand() {
        assertUsageError("serve", "unknown option '--nosuch'", "serve", "echo", "--nosuch");
        assertUsageError("example", "unknown option '--nosuch'", "example", "udp-time", "--nosuch");
        assertUsageError("client", "unknown option '--nosuch'", "client", "echo", "--nosuch");
        assertUsageError("bench", "unknown option '--nosuch'", "bench", "--nosuch");
        assertUsageError("backends", "unknown options '--a', '--b'", "backends", "--a", "--b");
    }

    @Test
    void aMistypedOptionGetsASuggestion() {
        Result r = run("serve", "echo", "--hots", "::");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.errLines().get(0).startsWith("uloop: unknown option '--hots' (did you mean '--host'"), r.err());
        assertEquals("Try 'uloop serve --help'.", r.errLines().get(1));
    }

    @Test
    void anArgumentTooManyIsUnexpected() {
        assertUsageError("serve", "unexpected argument 'extra'", "serve", "echo", "extra");
    }

    @Test
    void picocliMessagesAreSaidInUloopsStyle() {
        assertUsageError("example", "missing required parameter: 'NAME'", "example");
        assertUsageError("bench", "invalid value for option '--port': 'x' is not an int", "bench", "--port", "x");
    }

    @Test
    void noSubcommandIsAUsageError() {
        Result r = run();
        assertEquals(2, r.status());
        assertEquals(2, r.errLines().size(), r.err());
        assertTrue(r.errLines().get(0).startsWith("uloop: missing command; choose one of: "), r.err());
        assertTrue(r.errLines().get(0).contains("backends"), r.err());
        assertEquals("Try 'uloop --help'.", r.errLines().get(1));
    }

    @Test
    void onlyTheNamedSubcommandIsBuiltButHelpAndErrorsSeeThemAll() {
        assertEquals(List.of("serve"), List.copyOf(Main.newCommandLine("serve", "echo").getSubcommands().keySet()));
        List<String> all = List.copyOf(Main.SUBCOMMANDS.keySet());
        assertEquals(List.of("backends", "example", "serve", "client", "bench"), all);
        assertEquals(all, List.copyOf(Main.newCommandLine("--help").getSubcommands().keySet()));
        assertEquals(List.of(), List.copyOf(Main.newCommandLine("--version").getSubcommands().keySet()));
        assertEquals(0, run("--version").status());
        assertEquals(all, List.copyOf(Main.newCommandLine("nosuch").getSubcommands().keySet()));
        Result r = run("srve");
        assertEquals(2, r.status());
        assertTrue(r.errLines().get(0).startsWith("uloop: unknown command 'srve' (did you mean 'serve'"), r.err());
        Result bad = run("serve", "echo", "--nosuch");
        assertEquals(List.of("uloop: unknown option '--nosuch'", "Try 'uloop serve --help'."), bad.errLines());
    }

    @Test
    void failuresAreDescribedByTheirCause() {
        picocli.CommandLine cl = Main.newCommandLine();
        Throwable wrapped = new picocli.CommandLine.ExecutionException(cl, "Error while running command",
                new ExceptionInInitializerError(new IllegalStateException("boom\nsecond line")));
        assertEquals("boom; second line", Main.describe(Main.unwrap(wrapped)));
        assertEquals("java.lang.NullPointerException", Main.describe(new NullPointerException()));
        assertEquals("OutOfMemoryError: heap", Main.describe(new OutOfMemoryError("heap")));
    }

    private static void withBackendProperty(String value, Runnable body) {
        String old = System.getProperty(Backend.PROPERTY);
        System.setProperty(Backend.PROPERTY, value);
        try {
            body.run();
        } finally {
            if (old == null) {
                System.clearProperty(Backend.PROPERTY);
            } else {
                System.setProperty(Backend.PROPERTY, old);
            }
        }
    }
}
