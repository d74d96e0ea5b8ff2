package dev.uloop.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExecutionException;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code uloop} command. Each subcommand is its own class, registered in
 * {@link #SUBCOMMANDS}. Only the subcommand a command line names is built (picocli reads a
 * command's annotations reflectively, which costs start-up time); {@code uloop --help},
 * {@code uloop} alone and an unknown command build them all, to list them.
 *
 * <p>Exit codes: 0 success, 1 the command failed ({@code uloop: <message>} on stderr),
 * 2 bad usage ({@code uloop: <message>} and a hint to {@code --help}).
 */
@Command(
        name = "uloop",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "One event loop over epoll, io_uring, poll and select, in pure Java.",
            "It calls the kernel through the FFM API: no JNI library to build or load.",
        },
        footer = {
            "",
            "Exit status: 0 on success, 1 when a command fails, 2 on bad usage.",
            "Pass JVM options such as -Duloop.backend=poll through ULOOP_JAVA_OPTS.",
        })
public final class Main implements Callable<Integer> {
    /** Exit status of a command that failed while running. */
    public static final int EXIT_FAILURE = 1;
    /** Exit status for bad usage: an unknown option, a missing argument... */
    public static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    /** The subcommands, in the order {@code --help} lists them. */
    static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("backends", BackendsCommand::new);
        m.put("example", ExampleCommand::new);
        m.put("serve", ServeCommand::new);
        m.put("client", ClientCommand::new);
        m.put("bench", BenchCommand::new);
        return Collections.unmodifiableMap(m);
    }

    /** Runs the command line and exits the JVM with its status. */
    public static void main(String[] args) {
        System.exit(newCommandLine(args).execute(args));
    }

    /**
     * Runs the command line in-process, printing to the given writers.
     *
     * @param out  standard output
     * @param err  standard error
     * @param args the arguments, as given to {@code uloop}
     * @return the exit status
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = newCommandLine(args);
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * The {@code uloop} command line with its subcommands and error handling, printing to
     * {@code System.out} and {@code System.err} until told otherwise.
     *
     * @return a new command line
     */
    public static CommandLine newCommandLine() {
        return newCommandLine(new String[0]);
    }

    /**
     * The {@code uloop} command line for these arguments: with only the subcommand they name,
     * none for {@code --version} alone, or every subcommand when they name none (help, usage
     * errors).
     *
     * @param args the arguments, as given to {@code uloop}
     * @return a new command line
     */
    public static CommandLine newCommandLine(String... args) {
        CommandLine cl = new CommandLine(new Main())
                .setParameterExceptionHandler(USAGE_ERROR)
                .setExecutionExceptionHandler(FAILURE);
        String named = args.length > 0 && SUBCOMMANDS.containsKey(args[0]) ? args[0] : null;
        boolean versionOnly = args.length == 1 && (args[0].equals("-V") || args[0].equals("--version"));
        SUBCOMMANDS.forEach((name, command) -> {
            if (!versionOnly && (named == null || named.equals(name))) {
                cl.addSubcommand(name, command.get());
            }
        });
        // Handlers set before addSubcommand are not inherited: set them again for the tree.
        return cl.setParameterExceptionHandler(USAGE_ERROR).setExecutionExceptionHandler(FAILURE);
    }

    /** {@code uloop} without a subcommand. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(),
                "missing command; choose one of: " + String.join(", ", spec.subcommands().keySet()));
    }

    /**
     * Bad usage: one line saying what is wrong, one line pointing at the command's --help;
     * exit 2. Unknown options, commands, example names and services all read alike:
     * {@code uloop: unknown option '--nosuch'}, {@code uloop: unknown service 'x'; choose ...}.
     */
    private static final IParameterExceptionHandler USAGE_ERROR = (ex, args) -> {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("uloop: " + usageMessage(ex));
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return EXIT_USAGE;
    };

    /**
     * What is wrong, on one line, in uloop's words: picocli's own messages lose their
     * capital and their "Unmatched argument at index 2" wording, and a value a converter
     * refused for a positional parameter (an example name) is said by the converter alone.
     */
    static String usageMessage(ParameterException ex) {
        if (ex instanceof UnmatchedArgumentException unmatched) {
            return unmatchedMessage(unmatched);
        }
        if (ex.getCause() instanceof TypeConversionException conversion && ex.getArgSpec() != null
                && ex.getArgSpec().isPositional() && conversion.getMessage() != null) {
            return oneLine(conversion.getMessage());
        }
        return lowerFirst(oneLine(ex.getMessage()));
    }

    /** {@code unknown option '--nosuch'}, {@code unknown command 'x'}, {@code unexpected argument 'x'}. */
    private static String unmatchedMessage(UnmatchedArgumentException ex) {
        List<String> unmatched = ex.getUnmatched();
        if (unmatched.isEmpty()) {
            return lowerFirst(oneLine(ex.getMessage()));
        }
        String first = unmatched.get(0);
        boolean option = first.startsWith("-") && first.length() > 1;
        boolean command = !option && !ex.getCommandLine().getSubcommands().isEmpty();
        List<String> named = unmatched.stream()
                .filter(a -> !option || (a.startsWith("-") && a.length() > 1))
                .limit(command ? 1 : Long.MAX_VALUE)
                .map(a -> "'" + a + "'")
                .toList();
        String what = option ? "unknown option" : command ? "unknown command" : "unexpected argument";
        String message = what + (named.size() > 1 ? "s " : " ") + String.join(", ", named);
        List<String> suggestions = ex.getSuggestions();
        if (!suggestions.isEmpty()) {
            message += " (did you mean " + String.join(" or ", suggestions.stream()
                    .map(s -> "'" + s + "'").toList()) + "?)";
        }
        return message;
    }

    /** "Missing required parameter" becomes "missing required parameter"; "TCP ..." stays. */
    private static String lowerFirst(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))) {
            return Character.toLowerCase(s.charAt(0)) + s.substring(1);
        }
        return s;
    }

    /** A command failed: one line with the reason, no stack trace (unless ULOOP_DEBUG is set); exit 1. */
    private static final IExecutionExceptionHandler FAILURE = (ex, cl, parseResult) -> {
        PrintWriter err = cl.getErr();
        Throwable cause = unwrap(ex);
        err.println("uloop: " + describe(cause));
        String debug = System.getenv("ULOOP_DEBUG");
        if (debug != null && !debug.isEmpty() && !debug.equals("0")) {
            cause.printStackTrace(err);
        }
        err.flush();
        return EXIT_FAILURE;
    };

    /** The exception that says what went wrong, not the wrappers around it. */
    static Throwable unwrap(Throwable t) {
        while (t.getCause() != null
                && (t instanceof ExecutionException
                        || t instanceof ExceptionInInitializerError
                        || t instanceof InvocationTargetException
                        || t instanceof UncheckedIOException)) {
            t = t.getCause();
        }
        return t;
    }

    /** The message of an exception on one line, with its type when the message alone says too little. */
    static String describe(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getName();
        }
        if (t instanceof RuntimeException || t instanceof IOException) {
            return oneLine(message);
        }
        return t.getClass().getSimpleName() + ": " + oneLine(message);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** {@code uloop --version}: the uloop version, then the Java runtime and platform. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "uloop " + version(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + "), "
                        + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
            };
        }
    }

    /**
     * The uloop version, from the resource Maven fills in at build time.
     *
     * @return for example {@code "0.1.0"}, or {@code "unknown"} when not built by Maven
     */
    public static String version() {
        try (InputStream in = Main.class.getResourceAsStream("/uloop-version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isBlank() && !v.startsWith("${")) {
                    return v.strip();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "unknown";
    }
}
