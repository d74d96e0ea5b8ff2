package dev.uloop.bench.compare;

import java.io.PrintStream;

/**
 * The live progress line: rewritten in place on a terminal, one line per event otherwise
 * (a log file gets no carriage returns).
 */
final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private int lastLength;

    Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** A status that the next one replaces (dropped when not on a terminal). */
    synchronized void live(String s) {
        if (!terminal) {
            return;
        }
        String line = s.length() > 160 ? s.substring(0, 157) + "..." : s;
        out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
        out.flush();
        lastLength = line.length();
    }

    /** A line that stays. */
    synchronized void line(String s) {
        if (terminal && lastLength > 0) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            lastLength = 0;
        }
        out.println(s);
        out.flush();
    }

    /** Ends the live line, if any. */
    synchronized void done() {
        if (terminal && lastLength > 0) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            out.flush();
            lastLength = 0;
        }
    }
}
