package dev.uloop.cli;

import dev.uloop.Backend;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code uloop backends}: which kernel interfaces this machine has, and what each costs. */
@Command(
        name = "backends",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Lists the event backends and the one loops use by default.",
            "For each backend: whether this machine has it and what one wait costs.",
        },
        footer = {
            "",
            "Loops use the best available backend: the first one above that is available.",
            "Choose another with --backend NAME on uloop serve, example or bench (one",
            "command), or with -D" + Backend.PROPERTY + "=NAME (a backend above, or auto) for every",
            "loop; with bin/uloop, pass it as ULOOP_JAVA_OPTS=-D" + Backend.PROPERTY + "=poll.",
        })
public final class BackendsCommand implements Callable<Integer> {
    /** The commands whose --backend option chooses the backend of their loops. */
    static final String OPTION_HINT = "--backend NAME (uloop serve, example, bench)";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Backend best = null;
        try {
            best = Backend.best();
        } catch (UnsupportedOperationException e) {
            // none available: shown below
        }

        String[] names = new String[Backend.values().length];
        int width = "BACKEND".length();
        for (Backend b : Backend.values()) {
            names[b.ordinal()] = b == best ? b.id() + " (default)" : b.id();
            width = Math.max(width, names[b.ordinal()].length());
        }
        String format = "%-" + width + "s  %-9s  %s%n";
        out.printf(format, "BACKEND", "AVAILABLE", "COST OF ONE WAIT");
        for (Backend b : Backend.values()) {
            out.printf(format, names[b.ordinal()], b.isAvailable() ? "yes" : "no", b.cost());
        }
        out.println();
        // Whether this kernel allows io_uring, and why not (ENOSYS, EPERM from a seccomp filter, the sysctl).
        Backend.IO_URING.unavailableReason().ifPresent(why -> out.printf("io_uring is not available: %s.%n", why));
        if (Backend.IO_URING.isAvailable()) {
            Backend.IO_URING_COMPLETION.unavailableReason().ifPresent(
                    why -> out.printf("io_uring-completion is not available: %s.%n", why));
        }

        if (best == null) {
            throw new UnsupportedOperationException("no event backend (epoll, io_uring, poll, select) is available on "
                    + System.getProperty("os.name"));
        }
        String property = System.getProperty(Backend.PROPERTY);
        if (property == null || property.isBlank()) {
            out.printf("Loops use %s (the best available).%n", best.id());
            out.printf("Choose another with %s,%n", OPTION_HINT);
            out.printf("or for every loop with -D%s=NAME (bin/uloop: in ULOOP_JAVA_OPTS).%n", Backend.PROPERTY);
        } else {
            // Throws, with a one-line reason, for an unknown or unavailable backend.
            Backend chosen = Backend.fromProperty().requireAvailable();
            out.printf("-D%s=%s: loops use %s.%n", Backend.PROPERTY, property, chosen.id());
            out.printf("Choose another for one command with %s.%n", OPTION_HINT);
        }
        out.flush();
        return 0;
    }
}
