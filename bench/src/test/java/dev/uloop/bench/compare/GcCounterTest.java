package dev.uloop.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reading another JVM's collections from its performance data, as jstat does. */
class GcCounterTest {
    /** The counters of perfData(), in their order; the last one is a string. */
    private static final String[] NAMES = {"sun.os.hrt.frequency", "sun.gc.collector.0.invocations",
        "sun.gc.collector.0.time", "sun.gc.collector.1.invocations", "sun.gc.policy.name"};

    /**
     * A performance-data buffer as HotSpot lays it out: the prologue, then one entry per
     * counter (the last one a string, which must be skipped).
     */
    static ByteBuffer perfData(ByteOrder order, long young, long old, long frequency) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        b.order(ByteOrder.BIG_ENDIAN).putInt(0, 0xcafec0c0);
        b.put(4, (byte) (order == ByteOrder.BIG_ENDIAN ? 0 : 1));
        b.order(order);
        b.putInt(24, 32);
        b.putInt(28, NAMES.length);
        int at = 32;
        long[] values = {frequency, young, 0, old, 0};
        for (int i = 0; i < NAMES.length; i++) {
            byte[] name = (NAMES[i] + "\0").getBytes(StandardCharsets.US_ASCII);
            boolean text = NAMES[i].endsWith(".name");
            int nameAt = 20;
            int dataAt = (nameAt + name.length + 7) & ~7;
            int length = dataAt + (text ? 16 : 8);
            b.putInt(at, length);
            b.putInt(at + 4, nameAt);
            b.putInt(at + 8, text ? 16 : 0);
            b.put(at + 12, (byte) (text ? 'B' : 'J'));
            b.putInt(at + 16, dataAt);
            b.put(at + nameAt, name);
            if (!text) {
                b.putLong(at + dataAt, values[i]);
            }
            at += length;
        }
        return b;
    }

    /** Adds collections to collector 0 and ticks to its time, as the JVM would. */
    static void addCollections(ByteBuffer b, long collections, long ticks) {
        int at = 32;
        for (String name : NAMES) {
            int dataAt = at + b.getInt(at + 16);
            if (name.equals("sun.gc.collector.0.invocations")) {
                b.putLong(dataAt, b.getLong(dataAt) + collections);
            } else if (name.equals("sun.gc.collector.0.time")) {
                b.putLong(dataAt, b.getLong(dataAt) + ticks);
            }
            at += b.getInt(at);
        }
    }

    @Test
    void sumsEveryCollectorInEitherByteOrder() {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            ByteBuffer data = perfData(order, 5, 2, 1_000_000_000L);
            GcCounter c = GcCounter.parse(data);
            assertNotNull(c);
            assertEquals(7, c.collections(), order.toString());
            assertEquals(0, c.millis(), 1e-9);
            addCollections(data, 3, 250_000_000L);      // a quarter of a second at 1 GHz
            assertEquals(10, c.collections());
            assertEquals(250, c.millis(), 1e-6);
        }
    }

    @Test
    void refusesWhatIsNotPerformanceData() {
        assertThrows(IllegalArgumentException.class, () -> GcCounter.parse(ByteBuffer.allocate(64)));
        assertThrows(IllegalArgumentException.class, () -> GcCounter.parse(ByteBuffer.allocate(8)));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void countsTheCollectionsOfARunningJvm() {
        // This test's own JVM: its performance data is where any other JVM's would be.
        GcCounter self = GcCounter.open(ProcessHandle.current().pid());
        assertNotNull(self, "the test JVM runs with performance data (UsePerfData is on by default)");
        GcCounter.Window w = new GcCounter.Window(self);
        w.start();
        System.gc();
        w.end();
        assertTrue(w.count() >= 1, "System.gc() is a collection: " + w.count());
        assertTrue(w.millis() >= 0, "time " + w.millis());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aProcessThatIsNotAJvmHasNoCounter() throws Exception {
        Process p = new ProcessBuilder("sleep", "30").start();
        try {
            assertNull(GcCounter.open(p.pid()));
            GcCounter.Window w = new GcCounter.Window(null);
            w.start();
            w.end();
            assertEquals(-1, w.count(), "unknown, not zero");
            assertTrue(Double.isNaN(w.millis()));
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
