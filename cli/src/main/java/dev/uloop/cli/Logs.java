package dev.uloop.cli;

import dev.uloop.net.InheritedSocket;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Log output in the seeds' shape, {@code time - logger - level - message}, e.g.
 * {@code 2020-06-15 15:34:16,139 - uloop.EventLoop - INFO - using the poll backend}.
 * The library logs through {@code System.Logger}, which lands in java.util.logging here.
 */
public final class Logs {
    private Logs() {}

    /**
     * Made at start, though reading the time zone's rules from the JDK's zone database costs
     * about 15 ms before the ready line: made at the first record instead, it was made by the
     * first warning, which may well be "out of descriptors" (EMFILE), when the database cannot
     * be opened; the JDK then keeps its time zone broken for good (no log line, no daytime).
     */
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS").withZone(ZoneId.systemDefault());

    /**
     * Sends log records to stderr in the seeds' format.
     *
     * @param verbose true to show per-event lines (DEBUG) of the {@code uloop} loggers
     */
    public static void configure(boolean verbose) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(new SeedFormatter());
        console.setLevel(verbose ? Level.FINEST : Level.INFO);
        root.addHandler(console);
        root.setLevel(Level.INFO);
        Logger.getLogger("uloop").setLevel(verbose ? Level.FINE : Level.INFO);
    }

    /** Logs nothing more, anywhere. */
    public static void off() {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        root.setLevel(Level.OFF);
        Logger.getLogger("uloop").setLevel(Level.OFF);
    }

    /**
     * Whether standard error is a TCP or UDP socket: under inetd it is the client's socket,
     * where a log line would be read as the service's answer. (journald's streams are Unix
     * domain sockets, and stay in use.)
     *
     * @return true when descriptor 2 is a TCP or UDP socket
     */
    public static boolean stderrIsASocket() {
        try {
            InheritedSocket.of(2);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The seeds' format, with Python's level names. */
    static final class SeedFormatter extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(128)
                    .append(TIME.format(Instant.ofEpochMilli(r.getMillis())))
                    .append(" - ").append(r.getLoggerName())
                    .append(" - ").append(levelName(r.getLevel()))
                    .append(" - ").append(formatMessage(r))
                    .append(System.lineSeparator());
            if (r.getThrown() != null) {
                StringWriter sw = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(sw));
                sb.append(sw);
            }
            return sb.toString();
        }

        static String levelName(Level l) {
            int v = l.intValue();
            if (v >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (v >= Level.WARNING.intValue()) {
                return "WARNING";
            }
            if (v >= Level.INFO.intValue()) {
                return "INFO";
            }
            return "DEBUG";
        }
    }
}
