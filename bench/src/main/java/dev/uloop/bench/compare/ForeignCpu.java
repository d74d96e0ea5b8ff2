package dev.uloop.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * CPU time used by other programs while a round runs: the user-space processes other than
 * this one (the load generator) and the server, from /proc/PID/stat (those present at both
 * readings, and those started in between); kernel threads are left out (they do the
 * loopback's work for us). A process that starts and ends between two readings is missed. Also
 * the machine's steal time (a virtual CPU waiting for its host). A round during which
 * another program (a build, say) took a good part of a CPU is not comparable, so the
 * comparison runs it again.
 */
final class ForeignCpu {
    /** Linux's USER_HZ. */
    private static final double TICKS_PER_SECOND = 100;
    /** PF_KTHREAD in /proc/PID/stat's flags. */
    private static final long PF_KTHREAD = 0x00200000L;

    private final Set<Long> mine;
    private final Map<Long, long[]> ticks;      // pid -> {utime + stime, start time}, in ticks since boot
    private final long steal;
    private final long uptimeTicks;
    private final long nanos;

    private ForeignCpu(Set<Long> mine, Map<Long, long[]> ticks, long steal, long uptimeTicks, long nanos) {
        this.mine = mine;
        this.ticks = ticks;
        this.steal = steal;
        this.uptimeTicks = uptimeTicks;
        this.nanos = nanos;
    }

    /**
     * A reading now.
     *
     * @param mine the processes that are part of the measurement (this one, the server)
     */
    static ForeignCpu now(Set<Long> mine) {
        long uptime = uptimeTicks();
        Map<Long, long[]> t = new HashMap<>();
        try (Stream<Path> dirs = Files.list(Path.of("/proc"))) {
            dirs.forEach(d -> {
                String name = d.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    return;
                }
                long pid;
                try {
                    pid = Long.parseLong(name);
                } catch (NumberFormatException e) {
                    return;
                }
                if (mine.contains(pid)) {
                    return;
                }
                long[] v = processTicks(d.resolve("stat"));
                if (v != null) {
                    t.put(pid, v);
                }
            });
        } catch (IOException | RuntimeException e) {
            // Not Linux: nothing to tell.
        }
        return new ForeignCpu(mine, t, stealTicks(), uptime, System.nanoTime());
    }

    /** {utime + stime, start time} of a user-space process, or null (kernel thread, gone, unreadable). */
    static long[] processTicks(Path stat) {
        try {
            return parseTicks(Files.readString(stat));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The same from the text of /proc/PID/stat. */
    static long[] parseTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // After "pid (comm) ": state(0) ppid pgrp session tty tpgid flags(6) minflt cminflt majflt cmajflt
        // utime(11) stime(12) cutime cstime priority nice threads itrealvalue starttime(19)
        long flags = Long.parseLong(f[6]);
        if ((flags & PF_KTHREAD) != 0) {
            return null;
        }
        return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[19])};
    }

    private static long uptimeTicks() {
        try {
            String up = Files.readString(Path.of("/proc/uptime")).strip().split("\\s+")[0];
            return (long) (Double.parseDouble(up) * TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long stealTicks() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/stat"))) {
            return lines.filter(l -> l.startsWith("cpu ")).findFirst()
                    .map(l -> l.trim().split("\\s+"))
                    .map(f -> f.length > 8 ? Long.parseLong(f[8]) : 0L).orElse(0L);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Between an earlier reading and this one. */
    record Use(double otherCpus, double stealCpus, double seconds) {
        /** The larger of the two, in CPUs. */
        double worst() {
            return Math.max(otherCpus, stealCpus);
        }
    }

    /**
     * What other programs used since {@code before}, in CPUs (1.0 = one CPU all the time).
     *
     * @param before an earlier reading
     * @return the use
     */
    Use since(ForeignCpu before) {
        double seconds = (nanos - before.nanos) / 1e9;
        if (seconds <= 0) {
            return new Use(0, 0, 0);
        }
        long d = 0;
        for (Map.Entry<Long, long[]> e : ticks.entrySet()) {
            if (before.mine.contains(e.getKey())) {
                continue;
            }
            long[] was = before.ticks.get(e.getKey());
            if (was != null && was[1] == e.getValue()[1]) {
                d += Math.max(0, e.getValue()[0] - was[0]);
            } else if (e.getValue()[1] >= before.uptimeTicks - 1) {
                d += e.getValue()[0];                 // started since the earlier reading
            }
        }
        return new Use(d / TICKS_PER_SECOND / seconds, Math.max(0, steal - before.steal) / TICKS_PER_SECOND / seconds,
                seconds);
    }
}
