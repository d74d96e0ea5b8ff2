package dev.uloop.examples;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.uloop.EventLoop;
import dev.uloop.Events;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The loop at the seeds' own level: a descriptor, a reactor-style handler and a periodic
 * callback ({@code add}, {@code add_periodic}, {@code run}, {@code stop}). The descriptor
 * is a pipe this program makes itself, with libc's {@code pipe2} through the JDK's FFM API,
 * as a program would hand uloop any descriptor it owns (an eventfd, a timerfd, a socket of
 * its own): uloop watches it and never closes it; the program removes it from the loop,
 * then closes it.
 *
 * <pre>
 * java --enable-native-access=dev.uloop,dev.uloop.examples -p ... -m dev.uloop.examples/dev.uloop.examples.PipeEvents
 * </pre>
 */
public final class PipeEvents {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle PIPE2 = libc("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle READ = libc("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = libc("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final int O_NONBLOCK = 0x800;
    private static final int O_CLOEXEC = 0x80000;

    private PipeEvents() {}

    private static MethodHandle libc(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd);
    }

    /**
     * Writes a tick into the pipe every 100 ms and prints what the handler reads, three times.
     *
     * @param args none
     * @throws Throwable if a libc call cannot be made
     */
    public static void main(String[] args) throws Throwable {
        try (Arena arena = Arena.ofConfined(); EventLoop loop = EventLoop.open()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if ((int) PIPE2.invokeExact(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
                throw new IllegalStateException("pipe2 failed");
            }
            int readFd = fds.getAtIndex(JAVA_INT, 0);
            int writeFd = fds.getAtIndex(JAVA_INT, 1);
            MemorySegment buf = arena.allocate(64);
            int[] ticks = {0};

            loop.add(readFd, Events.IN, (fd, events) -> {              // the seeds' process_event
                long n = read(fd, buf);
                String text = new String(buf.asSlice(0, Math.max(n, 0)).toArray(JAVA_BYTE), StandardCharsets.US_ASCII);
                System.out.println("fd " + fd + " " + Events.toString(events) + ": " + text);
                if (ticks[0] == 3) {
                    loop.stop();
                }
            });
            loop.every(Duration.ofMillis(100), () -> {                  // the seeds' add_periodic
                ticks[0]++;
                write(writeFd, arena.allocateFrom("tick " + ticks[0]));
            });
            System.out.println("pipe-events: reading fd " + readFd + " on " + loop.backend());
            loop.run();

            loop.remove(readFd);              // the loop does not own it: remove, then close
            int unused = (int) CLOSE.invokeExact(readFd) + (int) CLOSE.invokeExact(writeFd);
        }
    }

    private static long read(int fd, MemorySegment buf) {
        try {
            return (long) READ.invokeExact(fd, buf, buf.byteSize());
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void write(int fd, MemorySegment text) {
        try {
            long unused = (long) WRITE.invokeExact(fd, text, text.byteSize() - 1);   // without the C string's NUL
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
