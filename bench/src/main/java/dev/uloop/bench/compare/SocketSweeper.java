package dev.uloop.bench.compare;

import dev.uloop.internal.posix.Unistd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Closes the sockets a load run left open in this process: a guard for a run of many rounds
 * in one process, which would otherwise reach the descriptor limit if a round leaked (an
 * earlier {@code LoadGenerator} closed its TCP connections gracefully and stopped its loop
 * before the descriptors were closed: a thousand per round at {@code tcp-1000}). The
 * sockets open before a round are noted; the new ones still open once the round's loop has
 * ended are closed, and the report says how many.
 */
final class SocketSweeper {
    private SocketSweeper() {}

    /** The socket descriptors of this process now. */
    static Set<Integer> sockets() {
        Set<Integer> out = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(p).toString().startsWith("socket:")) {
                        out.add(Integer.parseInt(p.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException e) {
                    // Gone meanwhile (e.g. the listing's own descriptor).
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: nothing to sweep.
        }
        return out;
    }

    /**
     * Closes the sockets that are open now and were not in {@code before}. Call it only when
     * nothing else in the process opened sockets in between.
     *
     * @return how many were closed
     */
    static int closeNew(Set<Integer> before) {
        int n = 0;
        for (int fd : sockets()) {
            if (!before.contains(fd) && Unistd.close(fd) == 0) {
                n++;
            }
        }
        return n;
    }
}
