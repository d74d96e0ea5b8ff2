package dev.uloop.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LessonTest {
    @Test
    void eachServerRunsWhereAChartShowsIt() {
        assertTrue(Lesson.runs("uloop-epoll", Point.tcp(1000)));
        assertTrue(Lesson.runs("uloop-epoll", Point.idle(10, 10_000)));
        assertTrue(Lesson.runs("uloop-blocking", Point.idle(10, 0)), "10 active, none idle: the active chart");
        assertFalse(Lesson.runs("uloop-blocking", Point.idle(10, 3000)), "no chart shows blocking with idle ones");
        assertTrue(Lesson.runs("seed-select", Point.idle(10, 3000)));
        assertFalse(Lesson.runs("seed-select", Point.tcp(1000)));
        assertTrue(Lesson.runs("netty-epoll", Point.tcp(1000)), "a server named with --servers runs everywhere");
        long runs = Lesson.POINTS.stream().mapToLong(p -> Lesson.SERVERS.stream().filter(s -> Lesson.runs(s, p))
                .count()).sum();
        assertEquals(52, runs, "about five minutes on two cores");
    }

    @Test
    void sizesReadAsAPersonWritesThem() {
        assertEquals("3.0 MiB", Lesson.bytes(3 * 1024 * 1024));
        assertEquals("672 bytes", Lesson.bytes(672));
        assertEquals("201.2 KiB", Lesson.bytes(201.2 * 1024));
    }
}
