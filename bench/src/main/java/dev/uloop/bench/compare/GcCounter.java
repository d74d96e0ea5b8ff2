package dev.uloop.bench.compare;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The garbage collections of another JVM, read from its performance-data file
 * ({@code hsperfdata_USER/PID} in the temporary folder: the memory {@code jstat} reads),
 * without attaching to it or disturbing it: counters are plain longs the JVM updates in a
 * shared mapping, so a read is a few memory loads.
 *
 * <p>Counted: {@code sun.gc.collector.N.invocations} (each collector: young, old, concurrent
 * cycles) and {@code sun.gc.collector.N.time} (their accumulated time, in the ticks of
 * {@code sun.os.hrt.frequency}). A JVM started with {@code -XX:-UsePerfData}, or a process
 * that is not a JVM, has no file: {@link #open} returns null.
 */
final class GcCounter {
    private static final int MAGIC = 0xcafec0c0;

    private final ByteBuffer data;
    private final int[] invocations;    // offsets of the collectors' invocation counters
    private final int[] times;          // offsets of the collectors' time counters
    private final double ticksPerMilli;

    private GcCounter(ByteBuffer data, int[] invocations, int[] times, double ticksPerMilli) {
        this.data = data;
        this.invocations = invocations;
        this.times = times;
        this.ticksPerMilli = ticksPerMilli;
    }

    /**
     * Maps the performance data of a running JVM.
     *
     * @param pid the JVM's process id
     * @return a counter, or null when the process has no readable performance data (not a JVM, or
     *         {@code -XX:-UsePerfData})
     */
    static GcCounter open(long pid) {
        for (Path dir : candidates()) {
            Path file = dir.resolve(Long.toString(pid));
            if (Files.isRegularFile(file)) {
                try {
                    GcCounter c = parse(map(file));
                    if (c != null) {
                        return c;
                    }
                } catch (IOException | RuntimeException e) {
                    // Not readable, or not this format: try the next folder.
                }
            }
        }
        return null;
    }

    private static List<Path> candidates() {
        String user = System.getProperty("user.name");
        List<Path> dirs = new ArrayList<>();
        for (String tmp : List.of(System.getProperty("java.io.tmpdir"), "/tmp")) {
            Path d = Path.of(tmp, "hsperfdata_" + user);
            if (!dirs.contains(d)) {
                dirs.add(d);
            }
        }
        return dirs;
    }

    private static ByteBuffer map(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
    }

    /**
     * Finds the counters in a performance-data buffer (HotSpot's {@code PerfDataPrologue}
     * followed by {@code PerfDataEntry} records).
     *
     * @param b the whole buffer
     * @return a counter, or null when it holds no collector counters
     * @throws IllegalArgumentException when it is not performance data
     */
    static GcCounter parse(ByteBuffer b) {
        if (b.capacity() < 32 || b.order(ByteOrder.BIG_ENDIAN).getInt(0) != MAGIC) {
            throw new IllegalArgumentException("not HotSpot performance data");
        }
        b.order(b.get(4) == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int entry = b.getInt(24);
        int entries = b.getInt(28);
        List<Integer> inv = new ArrayList<>();
        List<Integer> time = new ArrayList<>();
        long frequency = 0;
        for (int i = 0; i < entries && entry > 0 && entry + 20 <= b.capacity(); i++) {
            int length = b.getInt(entry);
            if (length <= 0) {
                break;
            }
            String name = cString(b, entry + b.getInt(entry + 4));
            boolean scalarLong = b.getInt(entry + 8) == 0 && b.get(entry + 12) == 'J';
            int dataAt = entry + b.getInt(entry + 16);
            if (scalarLong && name.startsWith("sun.gc.collector.")) {
                if (name.endsWith(".invocations")) {
                    inv.add(dataAt);
                } else if (name.endsWith(".time")) {
                    time.add(dataAt);
                }
            } else if (scalarLong && name.equals("sun.os.hrt.frequency")) {
                frequency = b.getLong(dataAt);
            }
            entry += length;
        }
        if (inv.isEmpty()) {
            return null;
        }
        return new GcCounter(b, inv.stream().mapToInt(Integer::intValue).toArray(),
                time.stream().mapToInt(Integer::intValue).toArray(), frequency > 0 ? frequency / 1e3 : Double.NaN);
    }

    private static String cString(ByteBuffer b, int at) {
        int end = at;
        while (end < b.capacity() && b.get(end) != 0) {
            end++;
        }
        byte[] s = new byte[end - at];
        b.get(at, s);
        return new String(s, StandardCharsets.US_ASCII);
    }

    /**
     * Collections so far, all collectors together.
     *
     * @return the count
     */
    long collections() {
        long n = 0;
        for (int at : invocations) {
            n += data.getLong(at);
        }
        return n;
    }

    /**
     * Time spent collecting so far, all collectors together.
     *
     * @return milliseconds, or NaN when the JVM does not say its clock's frequency
     */
    double millis() {
        long ticks = 0;
        for (int at : times) {
            ticks += data.getLong(at);
        }
        return ticks / ticksPerMilli;
    }

    /** What a measured window saw: collections and their time (NaN and -1 when unknown). */
    static final class Window {
        private final GcCounter counter;
        private long startCount;
        private double startMillis;
        private long count = -1;
        private double millis = Double.NaN;

        /** A window over {@code counter}, which may be null (then nothing is counted). */
        Window(GcCounter counter) {
            this.counter = counter;
        }

        /** Marks the start. */
        void start() {
            if (counter != null) {
                startCount = counter.collections();
                startMillis = counter.millis();
            }
        }

        /** Marks the end. */
        void end() {
            if (counter != null) {
                count = counter.collections() - startCount;
                millis = counter.millis() - startMillis;
            }
        }

        /** Collections between start and end, or -1 when unknown (not a JVM, or never ended). */
        long count() {
            return count;
        }

        /** Their time in milliseconds, or NaN when unknown. */
        double millis() {
            return millis;
        }
    }
}
