package dev.uloop.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The parts that read other programs' output: jcmd, NMT, sockperf, /proc, JFR samples. */
class ParsersTest {
    @Test
    void classHistogramTotal() throws IOException {
        String h = """
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:          6170         545520  [B (java.base@25)
                 919:             1             16  sun.util.logging.internal.LoggingProviderImpl (java.logging@25)
                Total         67640        3774576
                """;
        assertEquals(3_774_576L, MemoryProbe.parseHistogramTotal(h));
        assertThrows(IOException.class, () -> MemoryProbe.parseHistogramTotal("nothing"));
    }

    @Test
    void nativeMemorySummary() throws IOException {
        String nmt = """
                25453:

                Native Memory Tracking:

                Total: reserved=7930419427, committed=493471971
                       malloc: 20105443 #28158, peak=29103424 #28142

                -                 Java Heap (reserved=6320816128, committed=402653184)
                                            (mmap: reserved=6320816128, committed=402653184, at peak)

                -                     Class (reserved=1074060382, committed=1170526)
                -                    Thread (reserved=21038336, committed=1107200)
                -    Native Memory Tracking (reserved=517068, committed=517068)
                """;
        Map<String, Long> m = MemoryProbe.parseNmt(nmt);
        assertEquals(493_471_971L, m.get("Total"));
        assertEquals(402_653_184L, m.get("Java Heap"));
        assertEquals(1_107_200L, m.get("Thread"));
        assertEquals(517_068L, m.get("Native Memory Tracking"));
        assertThrows(IOException.class, () -> MemoryProbe.parseNmt("Native memory tracking is not enabled"));
    }

    @Test
    void memoryPerConnectionAgainstTheBaseline() {
        var base = new MemoryProbe.Sample(0, 1_000_000, 50_000_000, Map.of("Java Heap", 40_000_000L, "Other", 100L),
                200_000_000);
        var with = new MemoryProbe.Sample(1000, 1_300_000, 50_400_000, Map.of("Java Heap", 40_000_000L,
                "Other", 300_100L), 201_000_000);
        MemoryResult r = MemoryProbe.result("uloop-epoll", base, with, "");
        assertEquals(300.0, r.heapPerConn(), 1e-9);
        assertEquals(400.0, r.nativePerConn(), 1e-9);
        assertEquals(1000.0, r.rssPerConn(), 1e-9);
        assertEquals("Other +0.30 MB", r.nativeBreakdown());
    }

    @Test
    void sockperfPingPong() throws IOException {
        String out = """
                sockperf: [Total Run] RunTime=3.000 sec; Warm up time=400 msec; SentMessages=31845; ReceivedMessages=31844
                sockperf: ========= Printing statistics for Server No: 0
                sockperf: [Valid Duration] RunTime=2.549 sec; SentMessages=27014; ReceivedMessages=27014
                sockperf: \u001B[2;35m====> avg-rtt=94.324 (std-dev=12.1)\u001B[0m
                sockperf: ---> percentile 99.000 =  939.374
                sockperf: ---> percentile 50.000 =   21.151
                """;
        double[] r = LoadgenCheck.parseSockperf(out);
        assertEquals(27014 / 2.549, r[0], 1e-6);
        assertEquals(21.151, r[1], 1e-9);
        assertEquals(939.374, r[2], 1e-9);
        assertThrows(IOException.class, () -> LoadgenCheck.parseSockperf("sockperf: error"));
    }

    @Test
    void procStatTicksSkipKernelThreads() {
        String user = "1234 (java (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 30 0 4321 0 0";
        long[] t = ForeignCpu.parseTicks(user);
        assertEquals(250 + 50, t[0], "utime + stime; reaped children (7, 3) are not counted again");
        assertEquals(4321, t[1], "start time");
        String kthread = "15 (rcu_preempt) I 2 0 0 0 -1 2129984 0 0 0 0 5 900 0 0 20 0 1 0 10 0 0";
        assertEquals(null, ForeignCpu.parseTicks(kthread));
    }

    @Test
    void foreignCpuOfThisMachineIsANumber() {
        ForeignCpu a = ForeignCpu.now(Set.of(ProcessHandle.current().pid()));
        ForeignCpu.Use u = ForeignCpu.now(Set.of(ProcessHandle.current().pid())).since(a);
        assertTrue(u.otherCpus() >= 0 && u.stealCpus() >= 0, u.toString());
    }

    @Test
    void allocationPerMessageFromSamplesInsideTheWindow() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        List<AllocProbe.Sample> s = new ArrayList<>();
        for (int i = 0; i <= 40; i++) {                      // every 100 ms for 4 s
            Instant at = t0.plusMillis(100L * i);
            s.add(new AllocProbe.Sample("uloop-echo", at, 1_000_000L + 5_000L * i));   // 50,000 B/s
            s.add(new AllocProbe.Sample("JFR Periodic Tasks", at, 10_000_000L * i));   // busier, but JFR's
            s.add(new AllocProbe.Sample("main", at, 7));
        }
        // Window 1 s .. 3 s at 10,000 msgs/s: samples from 1.2 s to 2.8 s, 80,000 B over 1.6 s, 16,000 msgs.
        AllocResult r = AllocProbe.compute("uloop-epoll", Point.tcp(64), s, "uloop-echo", t0.plusSeconds(1),
                t0.plusSeconds(3), 10_000);
        assertEquals("uloop-echo", r.thread());
        assertEquals(80_000, r.bytes());
        assertEquals(1.6, r.seconds(), 1e-9);
        assertEquals(5.0, r.bytesPerMsg(), 1e-9);
        assertEquals(5.0, r.medianBytesPerMsg(), 1e-9);
        // A one-off burst of 1 MB in one interval: the whole window shows it, the median interval does not.
        List<AllocProbe.Sample> burst = new ArrayList<>();
        for (int i = 0; i <= 40; i++) {
            burst.add(new AllocProbe.Sample("uloop-echo", t0.plusMillis(100L * i), i >= 20 ? 1_000_000L : 0L));
        }
        AllocResult b = AllocProbe.compute("uloop-epoll", Point.tcp(64), burst, "uloop-echo", t0.plusSeconds(1),
                t0.plusSeconds(3), 10_000);
        assertEquals(1_000_000.0 / 16_000, b.bytesPerMsg(), 1e-9);
        assertEquals(0.0, b.medianBytesPerMsg(), 1e-9);
        AllocResult busiest = AllocProbe.compute("netty-epoll", Point.tcp(64), s, null, t0.plusSeconds(1),
                t0.plusSeconds(3), 10_000);
        assertEquals("uloop-echo", busiest.thread(), "JFR's own threads are not loop threads");
        AllocResult none = AllocProbe.compute("x", Point.tcp(64), s, "uloop-echo", t0.plusSeconds(10),
                t0.plusSeconds(11), 10_000);
        assertTrue(Double.isNaN(none.bytesPerMsg()));
    }

    @Test
    void durationsAndServerSelection() {
        Compare.DurationConverter c = new Compare.DurationConverter();
        assertEquals(Duration.ofSeconds(3), c.convert("3s"));
        assertEquals(Duration.ofMillis(500), c.convert("500ms"));
        assertEquals(Duration.ofMillis(1500), c.convert("1.5"));
        assertEquals(Duration.ofMinutes(4), c.convert("4m"));
        List<ServerDef> all = Servers.all(Jvm.java(), "cp", java.nio.file.Path.of("/usr/bin/sockperf"), null, null);
        assertEquals(16, all.size());
        assertEquals(List.of("uloop-epoll", "uloop-io_uring", "uloop-io_uring-completion", "uloop-poll", "uloop-select",
                "uloop-epoll-2loops", "uloop-epoll-spin",
                "uloop-blocking", "uloop-virtual"),
                Servers.select(all, "uloop-*").stream().map(ServerDef::id).toList());
        assertEquals(List.of("netty-epoll", "sockperf-epoll"),
                Servers.select(all, "sockperf-epoll, netty-epoll").stream().map(ServerDef::id).toList());
        assertThrows(IllegalArgumentException.class, () -> Servers.select(all, "nginx"));
        assertEquals(13, Servers.all(Jvm.java(), "cp", null, null, null).size(), "no sockperf, no sockperf servers");
    }

    @Test
    void seedServersNeedPythonAndTakeNoJvmOptions() throws Exception {
        java.nio.file.Path python = java.nio.file.Path.of("/usr/bin/python3");
        java.nio.file.Path seeds = java.nio.file.Path.of("/somewhere/bench/seeds");
        List<ServerDef> all = Servers.all(Jvm.java(), "cp", null, python, seeds);
        List<ServerDef> chosen = Servers.select(all, "seed-*");
        assertEquals(List.of("seed-select", "seed-poll", "seed-epoll"), chosen.stream().map(ServerDef::id).toList());
        ServerDef select = chosen.get(0);
        assertEquals("seeds", select.family());
        assertTrue(!select.java() && !select.nativeC(), "a Python server: no JVM options, not the C reference");
        assertEquals(List.of("/usr/bin/python3", "/somewhere/bench/seeds/select_echo.py", "--host", "127.0.0.1",
                "--port", "17001", "--udp"), select.launcher().command(17001, true, List.of("-Xmx1g"), null));
        assertTrue(select.ready().matcher("seed select echo ready: tcp 127.0.0.1:17001").find());
        assertTrue(Servers.select(Servers.all(Jvm.java(), "cp", null, null, seeds), "uloop-*").size() > 0);
        assertThrows(IllegalArgumentException.class,
                () -> Servers.select(Servers.all(Jvm.java(), "cp", null, null, seeds), "seed-*"),
                "without python3 there are no seed servers");
    }
}
