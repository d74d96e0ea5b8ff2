package dev.uloop.bench.compare;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One server of the comparison: how to start it on a port, and how it says it is ready.
 *
 * @param id          short name, e.g. {@code uloop-epoll}; used by {@code --servers}
 * @param family      {@code uloop}, {@code netty}, {@code jdk}, {@code sockperf} or {@code seeds} (Python)
 * @param description one line for the report
 * @param nativeC     a native C server (sockperf): the reference of the ratio column
 * @param ready       a line of its output that says it serves
 * @param launcher    its command line
 */
public record ServerDef(String id, String family, String description, boolean nativeC, Pattern ready,
                        Launcher launcher) {

    /** Makes the command line of one server process. */
    @FunctionalInterface
    public interface Launcher {
        /**
         * The command (without CPU pinning).
         *
         * @param port    the port to serve on, on 127.0.0.1
         * @param udp     UDP instead of TCP
         * @param jvmOpts extra JVM options (Java servers only)
         * @param workDir a folder for files the server needs (sockperf's feed file)
         * @return the command and its arguments
         * @throws IOException when a needed file cannot be written
         */
        List<String> command(int port, boolean udp, List<String> jvmOpts, Path workDir) throws IOException;
    }

    /** True for servers that run on the JVM (they take JVM options: NMT, JFR). */
    public boolean java() {
        return !nativeC && !family.equals("seeds");
    }
}
