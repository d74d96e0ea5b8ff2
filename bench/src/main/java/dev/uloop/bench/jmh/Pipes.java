package dev.uloop.bench.jmh;

import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.Unistd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code n} non-blocking pipes made with pipe2(2): the benchmarks register the read ends
 * and make some of them level-ready by writing one byte that is never read.
 */
final class Pipes implements AutoCloseable {
    private static final MemorySegment ONE_BYTE = Arena.global().allocate(1);

    private final int[] readFds;
    private final int[] writeFds;

    Pipes(int n) {
        readFds = new int[n];
        writeFds = new int[n];
        int made = 0;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(ValueLayout.JAVA_INT, 2);
            for (; made < n; made++) {
                int r = Unistd.pipe2(fds, Unistd.O_NONBLOCK | Unistd.O_CLOEXEC);
                if (r < 0) {
                    throw Errors.exception("pipe2 (pipe " + made + " of " + n + ")", -r);
                }
                readFds[made] = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
                writeFds[made] = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
            }
        } catch (RuntimeException e) {
            closeFirst(made);
            throw e;
        }
    }

    int size() {
        return readFds.length;
    }

    int readFd(int i) {
        return readFds[i];
    }

    int writeFd(int i) {
        return writeFds[i];
    }

    /** Writes one byte into {@code k} pipes spread evenly over the set, so their read ends stay IN-ready. */
    void makeReady(int k) {
        int n = readFds.length;
        if (k > n) {
            throw new IllegalArgumentException(k + " ready out of " + n + " pipes");
        }
        for (int j = 0; j < k; j++) {
            int i = (int) ((long) j * n / k);
            long w = Unistd.write(writeFds[i], ONE_BYTE, 1);
            if (w != 1) {
                throw Errors.exception("write(fd=" + writeFds[i] + ")", (int) -w);
            }
        }
    }

    @Override
    public void close() {
        closeFirst(readFds.length);
    }

    private void closeFirst(int count) {
        for (int i = 0; i < count; i++) {
            if (readFds[i] >= 0) {
                Unistd.close(readFds[i]);
                Unistd.close(writeFds[i]);
                readFds[i] = -1;
                writeFds[i] = -1;
            }
        }
    }
}
