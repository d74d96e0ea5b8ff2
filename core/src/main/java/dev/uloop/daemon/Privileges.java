package dev.uloop.daemon;

import dev.uloop.NativeException;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.Pwd;
import dev.uloop.internal.posix.Unistd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Giving up root once the ports are bound, as chronyd {@code -u} and ntpd {@code -u} do: a
 * server started as root binds its privileged ports (123, 7, 13, 37), then becomes an
 * ordinary user for the rest of its life, every thread of the process at once.
 *
 * {@snippet class="dev.uloop.snippets.DaemonSnippets" region="privileges"}
 *
 * <p>{@link #drop} sets the supplementary groups to the user's (those that list it as a
 * member, plus the group), then the group, then the user: real, effective, saved and
 * file-system ids alike, so there is no way back. It then checks the result: the ids the
 * kernel reports, that {@code setuid(0)} now fails, and, where {@code /proc} is mounted,
 * the credentials of every thread. Names are looked up through the C library, so every
 * source the system's name service uses (files, LDAP, systemd's dynamic users) answers.
 *
 * <p>A process that is not root can only "drop" to the identity it has: {@link #drop}
 * then succeeds when the target is the current user (and group) and fails otherwise.
 */
public final class Privileges {
    private Privileges() {}

    /**
     * The identity to drop to: a user and a group, with their numbers, and the supplementary
     * groups that go with them.
     *
     * @param user   the user name
     * @param uid    the user id
     * @param group  the group name, or null when the group has no name
     * @param gid    the group id
     * @param groups the supplementary groups, as {@code initgroups} sets them
     */
    public record Identity(String user, int uid, String group, int gid, List<Integer> groups) {
        /**
         * Checks the values.
         *
         * @throws NullPointerException for a missing user or group list
         */
        public Identity {
            Objects.requireNonNull(user, "user");
            groups = List.copyOf(groups);
        }

        /**
         * How messages name it.
         *
         * @return for example {@code nobody (uid 65534), group nogroup (gid 65534)}
         */
        @Override
        public String toString() {
            return user + " (uid " + uid + "), group " + (group != null ? group + " (gid " + gid + ")" : "gid " + gid);
        }
    }

    /**
     * Looks up a user, and a group (by default the user's primary group), without changing
     * anything: the check to make before binding anything.
     *
     * @param user  a user name, e.g. {@code "nobody"}
     * @param group a group name, e.g. {@code "nogroup"}, or null for the user's primary group
     * @return the identity
     * @throws IllegalArgumentException for an unknown user or group, or an empty name
     * @throws NativeException          when the name service itself failed
     */
    public static Identity lookup(String user, String group) {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("no user name given");
        }
        Pwd.User u = Pwd.user(user);
        if (u == null) {
            throw new IllegalArgumentException("unknown user '" + user + "'");
        }
        int gid = u.gid();
        if (group != null) {
            if (group.isEmpty()) {
                throw new IllegalArgumentException("no group name given");
            }
            gid = Pwd.group(group);
            if (gid == -1) {
                throw new IllegalArgumentException("unknown group '" + group + "'");
            }
        }
        int[] groups = Pwd.groupList(user, gid);
        return new Identity(user, u.uid(), group != null ? group : Pwd.groupName(gid), gid, IntStream.of(groups).boxed().distinct().sorted().toList());
    }

    /**
     * {@link #lookup} and {@link #drop(Identity)} in one.
     *
     * @param user  a user name
     * @param group a group name, or null for the user's primary group
     * @return the identity the process has now
     * @throws IllegalArgumentException for an unknown user or group
     * @throws IllegalStateException    when a step failed or the result is not the identity
     *                                  asked for; the process must not go on serving
     */
    public static Identity drop(String user, String group) {
        return drop(lookup(user, group));
    }

    /**
     * Becomes {@code target} for good, every thread of the process: supplementary groups,
     * group, user, in that order; then checks the result. Call it once every privileged
     * socket is bound, before serving a client.
     *
     * @param target the identity, from {@link #lookup}
     * @return {@code target}
     * @throws IllegalStateException when a step failed (for a process that is not root:
     *                               any change at all) or the credentials afterwards are not
     *                               the target's; the process may be left between the two,
     *                               so it must not go on serving
     */
    public static Identity drop(Identity target) {
        Objects.requireNonNull(target, "target");
        int[] uids = resIds(true);
        int[] gids = resIds(false);
        if (uids[1] != 0) {
            if (isAll(uids, target.uid()) && isAll(gids, target.gid())) {
                return target;       // already that user and group: nothing to give up
            }
            throw new IllegalStateException("cannot switch to user " + target.user() + ": that needs root, and this"
                    + " process runs as uid " + uids[1]);
        }
        step("setgroups", setGroups(target.groups()), target);
        step("setgid(" + target.gid() + ")", Unistd.setgid(target.gid()), target);
        step("setuid(" + target.uid() + ")", Unistd.setuid(target.uid()), target);
        verify(target);
        return target;
    }

    private static void step(String call, int result, Identity target) {
        if (result < 0) {
            NativeException e = Errors.exception(call, -result);
            throw new IllegalStateException("cannot switch to " + target + ": " + e.getMessage(), e);
        }
    }

    private static int setGroups(List<Integer> groups) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment list = arena.allocate(ValueLayout.JAVA_INT, Math.max(1, groups.size()));
            for (int i = 0; i < groups.size(); i++) {
                list.setAtIndex(ValueLayout.JAVA_INT, i, groups.get(i));
            }
            return Unistd.setgroups(groups.size(), list);
        }
    }

    /** Checks that the process is {@code target} now, in every thread, with no way back. */
    private static void verify(Identity target) {
        int[] uids = resIds(true);
        int[] gids = resIds(false);
        int[] groups = groups();
        if (!isAll(uids, target.uid()) || !isAll(gids, target.gid()) || !sameGroups(groups, target.groups())) {
            throw new IllegalStateException("switching to " + target + " left uids " + Arrays.toString(uids)
                    + ", gids " + Arrays.toString(gids) + ", groups " + Arrays.toString(groups));
        }
        if (target.uid() != 0) {
            int r = Unistd.setuid(0);
            if (r != -Errno.EPERM) {
                throw new IllegalStateException("after switching to " + target + ", setuid(0) "
                        + (r == 0 ? "succeeded" : "failed with errno " + -r + ", not EPERM"));
            }
        }
        ThreadCredentials.check(Path.of("/proc/self/task"), target.uid(), target.gid(), target.groups());
    }

    private static boolean isAll(int[] ids, int id) {
        for (int i : ids) {
            if (i != id) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameGroups(int[] actual, List<Integer> expected) {
        return Arrays.equals(IntStream.of(actual).distinct().sorted().toArray(),
                expected.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Real, effective and saved user (or group) ids. */
    private static int[] resIds(boolean user) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ids = arena.allocate(ValueLayout.JAVA_INT, 3);
            MemorySegment r = ids.asSlice(0, 4);
            MemorySegment e = ids.asSlice(4, 4);
            MemorySegment s = ids.asSlice(8, 4);
            int result = user ? Unistd.getresuid(r, e, s) : Unistd.getresgid(r, e, s);
            Errors.check(result, user ? "getresuid" : "getresgid");
            return ids.toArray(ValueLayout.JAVA_INT);
        }
    }

    /** The supplementary groups. */
    private static int[] groups() {
        int n = Errors.check(Unistd.getgroups(0, MemorySegment.NULL), "getgroups");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment list = arena.allocate(ValueLayout.JAVA_INT, Math.max(1, n));
            int got = Errors.check(Unistd.getgroups(n, list), "getgroups");
            return list.asSlice(0, 4L * got).toArray(ValueLayout.JAVA_INT);
        }
    }

    /** The credentials of each thread, as {@code /proc/<pid>/task/<tid>/status} shows them. */
    static final class ThreadCredentials {
        private ThreadCredentials() {}

        /**
         * Checks every thread's {@code Uid:}, {@code Gid:} (real, effective, saved,
         * file system) and {@code Groups:} lines; does nothing where the directory is missing.
         *
         * @throws IllegalStateException naming the first thread that differs
         */
        static void check(Path tasks, int uid, int gid, List<Integer> groups) {
            if (!Files.isDirectory(tasks)) {
                return;
            }
            String wantUid = idLine(uid);
            String wantGid = idLine(gid);
            List<Integer> wantGroups = groups.stream().sorted().toList();
            try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
                for (Path task : dir) {
                    List<String> lines;
                    try {
                        lines = Files.readAllLines(task.resolve("status"));
                    } catch (NoSuchFileException e) {
                        continue;            // the thread ended meanwhile
                    }
                    String uids = field(lines, "Uid:");
                    String gids = field(lines, "Gid:");
                    List<Integer> gs = numbers(field(lines, "Groups:"));
                    if (!wantUid.equals(uids) || !wantGid.equals(gids) || !wantGroups.equals(gs)) {
                        throw new IllegalStateException("thread " + task.getFileName() + " kept other credentials:"
                                + " Uid " + uids + ", Gid " + gids + ", Groups " + gs);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + tasks, e);
            }
        }

        private static String idLine(int id) {
            return id + " " + id + " " + id + " " + id;
        }

        /** The value of a {@code Name:\tvalue} line, with its blanks made single spaces; "" when missing. */
        static String field(List<String> lines, String name) {
            for (String l : lines) {
                if (l.startsWith(name)) {
                    return l.substring(name.length()).strip().replaceAll("\\s+", " ");
                }
            }
            return "";
        }

        private static List<Integer> numbers(String s) {
            return s.isEmpty() ? List.of()
                    : Arrays.stream(s.split(" ")).map(Integer::valueOf).distinct().sorted().toList();
        }
    }
}
