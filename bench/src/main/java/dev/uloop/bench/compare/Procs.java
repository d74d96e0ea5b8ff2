package dev.uloop.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What Linux's /proc says about a process and the machine; "?" or -1 where it cannot tell. */
final class Procs {
    private Procs() {}

    /** {@code Cpus_allowed_list} of a process ("self" for this one), e.g. {@code 0} or {@code 0-1}. */
    static String cpusAllowed(String pid) {
        return statusField(pid, "Cpus_allowed_list:");
    }

    /** Resident set size in bytes, or -1. */
    static long rssBytes(long pid) {
        String kb = statusField(Long.toString(pid), "VmRSS:");
        try {
            return Long.parseLong(kb.replace("kB", "").strip()) * 1024;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Open descriptors of a process, or -1. */
    static long fdCount(long pid) {
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return s.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The 1, 5 and 15 minute load averages, e.g. {@code 0.52 0.61 0.70}. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** The CPU model, from /proc/cpuinfo. */
    static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse("?");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** The machine's CPUs (all of them, not only those this process may use), or -1. */
    static int cpuCount() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return (int) lines.filter(l -> l.startsWith("processor")).count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The kernel release. */
    static String kernel() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.name") + " " + System.getProperty("os.version");
        }
    }

    private static String statusField(String pid, String field) {
        try (Stream<String> lines = Files.lines(Path.of("/proc", pid, "status"))) {
            return lines.filter(l -> l.startsWith(field)).map(l -> l.substring(field.length()).strip())
                    .findFirst().orElse("?");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
