package dev.uloop.internal.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChunkStashTest {
    @Test
    void chunksComeOutInOrderAcrossGrowthAndCompaction() {
        ChunkStash s = new ChunkStash();
        assertTrue(s.isEmpty());
        int next = 0;
        int taken = 0;
        // Interleave: add 3, take 2, so the head moves while the array fills (compaction), then grows.
        for (int round = 0; round < 40; round++) {
            for (int i = 0; i < 3; i++, next++) {
                s.add(next, 1000 + next);
            }
            for (int i = 0; i < 2; i++, taken++) {
                long c = s.take();
                assertEquals(taken, (int) (c >>> 32));
                assertEquals(1000 + taken, (int) c);
            }
        }
        while (!s.isEmpty()) {
            long c = s.take();
            assertEquals(taken, (int) (c >>> 32));
            assertEquals(1000 + taken, (int) c);
            taken++;
        }
        assertEquals(next, taken);
        s.add(7, 16384);
        assertEquals(7L << 32 | 16384, s.take());
        assertTrue(s.isEmpty());
    }
}
