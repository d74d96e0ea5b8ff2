package dev.uloop.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of another process from /proc/PID/stat (Linux), in nanoseconds. */
final class ProcCpu {
    private ProcCpu() {}

    /** Linux reports utime/stime in clock ticks of USER_HZ, which is 100 on every mainstream build. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    /**
     * User plus system CPU time of a process.
     *
     * @return nanoseconds, or -1 when it cannot be read (no such process, not Linux)
     */
    static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may contain spaces: fields are counted after its ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            return (utime + stime) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
