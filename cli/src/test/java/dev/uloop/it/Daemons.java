package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What the tests of a daemon's life need: root, a user to become, free ports, credentials from /proc. */
final class Daemons {
    private Daemons() {}

    /** Skips the calling test unless it runs as root. */
    static void assumeRoot(String why) {
        assumeTrue(uid() == 0, () -> "not running as root: " + why + "; skipping");
    }

    /** The effective uid of the tests, or -1 when /proc does not say. */
    static int uid() {
        try {
            String uids = field(Files.readAllLines(Path.of("/proc/self/status")), "Uid:");
            return Integer.parseInt(uids.split(" ")[1]);
        } catch (IOException e) {
            return -1;
        }
    }

    /** A user's uid, gid and groups, as {@code id} prints them. */
    record Account(String name, int uid, int gid, List<Integer> groups) {}

    /** The account {@code name}, or the test is skipped when the system has no such user. */
    static Account account(String name) {
        Exec.Result u = Exec.run(Duration.ofSeconds(10), null, "id", "-u", name);
        assumeTrue(u.exit() == 0, () -> "no user " + name + " on this system; skipping");
        Exec.Result g = Peers.ok(Exec.run(Duration.ofSeconds(10), null, "id", "-g", name));
        Exec.Result gs = Peers.ok(Exec.run(Duration.ofSeconds(10), null, "id", "-G", name));
        return new Account(name, Integer.parseInt(u.text().strip()), Integer.parseInt(g.text().strip()),
                numbers(gs.text()));
    }

    /**
     * A port below 1024 that is free on 127.0.0.1 for TCP and UDP right now (as root), or
     * the test is skipped.
     */
    static int freePrivilegedPort() {
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int port = 987; port > 600; port -= 7) {
            try (ServerSocket t = new ServerSocket()) {
                t.bind(new InetSocketAddress(lo, port));
                try (DatagramSocket u = new DatagramSocket(new InetSocketAddress(lo, port))) {
                    return port;
                }
            } catch (IOException e) {
                // taken (or not root): the next
            }
        }
        assumeTrue(false, "no free port below 1024 on 127.0.0.1; skipping");
        return -1;
    }

    /** A port that is free on 127.0.0.1 for TCP and UDP right now. */
    static int freePort() {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket t = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                 DatagramSocket u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                         t.getLocalPort()))) {
                return t.getLocalPort();
            } catch (IOException e) {
                // UDP's side is taken: another
            }
        }
        throw new IllegalStateException("no port free for both TCP and UDP on 127.0.0.1");
    }

    /**
     * Asserts that every thread of process {@code pid} has {@code account}'s credentials: the
     * {@code Uid:} and {@code Gid:} lines of each {@code /proc/PID/task/TID/status} (real,
     * effective, saved, file system) and its {@code Groups:}.
     *
     * @return how many threads were checked
     */
    static int assertCredentials(long pid, Account account) throws IOException {
        String uid = (account.uid() + " ").repeat(4).strip();
        String gid = (account.gid() + " ").repeat(4).strip();
        List<String> wrong = new ArrayList<>();
        int threads = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(task.resolve("status"));
                } catch (NoSuchFileException e) {
                    continue;     // the thread ended meanwhile
                }
                threads++;
                String name = field(lines, "Name:");
                String u = field(lines, "Uid:");
                String g = field(lines, "Gid:");
                List<Integer> gs = numbers(field(lines, "Groups:"));
                if (!u.equals(uid) || !g.equals(gid) || !gs.equals(account.groups())) {
                    wrong.add(task.getFileName() + " (" + name + "): Uid " + u + ", Gid " + g + ", Groups " + gs);
                }
            }
        }
        assertFalse(threads == 0, "no threads under /proc/" + pid + "/task");
        assertEquals(List.of(), wrong, "threads of " + pid + " that are not " + account);
        return threads;
    }

    /** The value of a {@code Name:\tvalue} line of a /proc status file, blanks made single spaces. */
    static String field(List<String> lines, String name) {
        for (String l : lines) {
            if (l.startsWith(name)) {
                return l.substring(name.length()).strip().replaceAll("\\s+", " ");
            }
        }
        return "";
    }

    private static List<Integer> numbers(String s) {
        String t = s.strip();
        return t.isEmpty() ? List.of() : Arrays.stream(t.split("\\s+")).map(Integer::valueOf).distinct().sorted().toList();
    }
}
