package dev.uloop.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.uloop.Backend;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs every benchmark method a few times directly (setup, call, teardown), not through
 * the JMH runner, to prove that each one works on each backend.
 */
@Timeout(20)
class BenchmarksRunOnceTest {
    @ParameterizedTest
    @EnumSource(Backend.class)
    void pollerBench(Backend b) {
        assumeTrue(b.isAvailable(), b + " is not available here");
        for (int[] fr : new int[][] {{10, 1}, {10, 10}, {1000, 10}}) {
            PollerBench bench = new PollerBench();
            bench.backend = b.id();
            bench.fds = fr[0];
            bench.ready = fr[1];
            bench.setUp();    // checks that exactly `ready` descriptors are reported
            try {
                for (int i = 0; i < 3; i++) {
                    assertEquals(fr[1], bench.poll(), b + " " + fr[0] + "/" + fr[1]);
                }
            } finally {
                bench.tearDown();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void registrationBench(Backend b) {
        assumeTrue(b.isAvailable(), b + " is not available here");
        RegistrationBench bench = new RegistrationBench();
        bench.backend = b.id();
        bench.setUp();
        try {
            for (int i = 0; i < 3; i++) {
                bench.registerUnregister();
                bench.modify();
                assertEquals(0, bench.registerPollUnregister());
                assertEquals(0, bench.modifyPoll());
                bench.loopAddRemove();
                bench.loopModify();
            }
        } finally {
            bench.tearDown();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void eventBench(Backend b) {
        assumeTrue(b.isAvailable(), b + " is not available here");
        for (int idle : new int[] {0, 10}) {
            EventBench bench = new EventBench();
            bench.backend = b.id();
            bench.idle = idle;
            bench.setUp();
            try {
                for (int i = 0; i < 5; i++) {
                    assertEquals(1, bench.event(), b + " idle " + idle);
                }
            } finally {
                bench.tearDown();
            }
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"oneshot", "multishot", "multishot-update"})
    void ioUringPollBench(String mode) {
        assumeTrue(Backend.IO_URING.isAvailable(), () -> "io_uring is not available here: "
                + Backend.IO_URING.unavailableReason().orElse(""));
        IoUringPollBench bench = new IoUringPollBench();
        bench.mode = mode;
        bench.setUp();
        try {
            for (int i = 0; i < 5; i++) {
                assertEquals(dev.uloop.Events.IN, bench.event() & dev.uloop.Events.IN, mode);
            }
        } finally {
            bench.tearDown();
        }
    }

    @Test
    void sntpBench() {
        SntpBench bench = new SntpBench();
        assertTrue(bench.wallClock() > 0);
        assertEquals(dev.uloop.sntp.NtpPacket.Check.OK, bench.check());
        assertTrue(bench.answer() != 0, "the reply is stamped");
    }

    @Test
    void timerBench() {
        for (int pending : new int[] {0, 1000}) {
            TimerBench bench = new TimerBench();
            bench.backend = "auto";
            bench.pending = pending;
            bench.setUp();
            try {
                for (int i = 0; i < 3; i++) {
                    assertTrue(bench.scheduleCancel().isCancelled());
                }
                assertEquals(1, bench.fire());
                assertEquals(1 + TimerBench.BATCH, bench.fireBatch());
                assertEquals(1 + TimerBench.BATCH, bench.fired());
            } finally {
                bench.tearDown();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void wakeupBench(Backend b) throws Exception {
        assumeTrue(b.isAvailable(), b + " is not available here");
        WakeupBench bench = new WakeupBench();
        bench.backend = b.id();
        bench.pauseMicros = 50;
        bench.setUp();
        try {
            for (int i = 0; i < 3; i++) {
                bench.settle();
                assertEquals(Boolean.TRUE, bench.executeFuture());
                bench.settle();
                assertTrue(bench.executeSpin() >= 2L * i + 2);
            }
        } finally {
            bench.tearDown();
        }
    }

    @Test
    void annotationProcessorListedEveryBenchmark() throws Exception {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/BenchmarkList")) {
            assertNotNull(in, "META-INF/BenchmarkList (generated by jmh-generator-annprocess)");
            String list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String name : new String[] {"PollerBench_poll", "RegistrationBench_registerUnregister",
                    "RegistrationBench_modify", "RegistrationBench_registerPollUnregister", "RegistrationBench_modifyPoll",
                    "RegistrationBench_loopAddRemove", "RegistrationBench_loopModify",
                    "TimerBench_scheduleCancel", "TimerBench_fire", "TimerBench_fireBatch",
                    "WakeupBench_executeFuture", "WakeupBench_executeSpin", "IoUringPollBench_event", "EventBench_event"}) {
                assertTrue(list.contains("dev.uloop.bench.jmh.jmh_generated." + name + "_jmhTest "),
                        name + " in BenchmarkList");
            }
        }
    }

    @Test
    void mainAddsOnlyTheDefaultsNotGiven() {
        assertArrayEquals(new String[] {"-wi", "2", "-i", "3", "-f", "1", "-w", "1s", "-r", "1s", "PollerBench"},
                Jmh.withDefaults(new String[] {"PollerBench"}, 22));
        assertArrayEquals(new String[] {"-wi", "2", "-w", "1s", "-r", "1s", "X", "-i", "1", "-f", "0"},
                Jmh.withDefaults(new String[] {"X", "-i", "1", "-f", "0"}, 22));
        assertArrayEquals(new String[] {"-wi", "2", "-i", "3", "-f", "1", "-w", "1s", "-r", "1s",
                "-jvmArgsAppend", "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"},
                Jmh.withDefaults(new String[0], 25));
        assertArrayEquals(new String[] {"-wi", "2", "-i", "3", "-f", "1", "-w", "1s", "-r", "1s",
                "-jvmArgsAppend", "-Xmx1g"},
                Jmh.withDefaults(new String[] {"-jvmArgsAppend", "-Xmx1g"}, 25));
    }
}
