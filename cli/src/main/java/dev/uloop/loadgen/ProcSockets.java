package dev.uloop.loadgen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a process is the server on a port, from /proc (Linux): one of its descriptors
 * ({@code /proc/PID/fd/N -> socket:[INODE]}) is a socket that {@code /proc/PID/net/tcp},
 * {@code tcp6} (listening) or {@code udp}, {@code udp6} (bound) shows on the port. For
 * {@code uloop bench --server-pid}, whose CPU figures are only the server's if it is.
 */
public final class ProcSockets {
    private ProcSockets() {}

    private static final Path PROC = Path.of("/proc");
    /** The TCP state LISTEN in /proc/net/tcp. */
    private static final String TCP_LISTEN = "0A";

    /**
     * Checks that {@code pid} serves {@code port}.
     *
     * @param pid  a process id
     * @param port the port the load goes to
     * @param udp  UDP (a socket bound to the port) rather than TCP (a socket listening on it)
     * @return why the process's CPU time would not be the server's; empty when it holds
     *         such a socket, or when this cannot be told (no /proc, another user's process)
     */
    public static Optional<String> notServing(long pid, int port, boolean udp) {
        return notServing(PROC, pid, port, udp);
    }

    static Optional<String> notServing(Path proc, long pid, int port, boolean udp) {
        if (!Files.isDirectory(proc.resolve("self"))) {
            return Optional.empty();
        }
        Path dir = proc.resolve(Long.toString(pid));
        if (pid <= 0 || !Files.isDirectory(dir)) {
            return Optional.of("no process " + pid + " is running, so there is no server CPU time to report");
        }
        Set<String> owned;
        Set<String> onPort;
        try {
            owned = socketInodes(dir.resolve("fd"));
            onPort = new HashSet<>();
            for (String table : udp ? List.of("udp", "udp6") : List.of("tcp", "tcp6")) {
                onPort.addAll(inodesOnPort(dir.resolve("net").resolve(table), port, udp));
            }
        } catch (IOException | UncheckedIOException | SecurityException e) {
            return Optional.empty();       // not ours to read, or gone meanwhile: cannot tell
        }
        onPort.retainAll(owned);
        if (!onPort.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("process " + pid + " has no " + (udp ? "UDP socket bound to" : "TCP socket listening on")
                + " port " + port + ", so its CPU time is not the server's");
    }

    /** The inodes of the sockets among a process's descriptors. */
    private static Set<String> socketInodes(Path fdDir) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (NoSuchFileException e) {
                    continue;              // closed meanwhile
                }
                if (target.startsWith("socket:[") && target.endsWith("]")) {
                    inodes.add(target.substring("socket:[".length(), target.length() - 1));
                }
            }
        }
        return inodes;
    }

    /**
     * The inodes of the sockets on a local port in one /proc/net table:
     * {@code sl local_address rem_address st ... uid timeout inode}, addresses as
     * {@code HEXADDR:HEXPORT}. TCP counts listening sockets only, UDP every bound one.
     */
    static Set<String> inodesOnPort(Path table, int port, boolean udp) throws IOException {
        Set<String> inodes = new HashSet<>();
        if (!Files.exists(table)) {
            return inodes;                 // no IPv6 here
        }
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        List<String> lines = Files.readAllLines(table);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 10) {
                continue;
            }
            String local = f[1];
            int colon = local.lastIndexOf(':');
            if (colon < 0 || !local.substring(colon + 1).equalsIgnoreCase(hexPort)) {
                continue;
            }
            if (udp || f[3].equalsIgnoreCase(TCP_LISTEN)) {
                inodes.add(f[9]);
            }
        }
        return inodes;
    }
}
