package dev.uloop.internal.posix;

import static dev.uloop.internal.posix.LibC.C_INT;
import static dev.uloop.internal.posix.LibC.C_LONG;
import static dev.uloop.internal.posix.LibC.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code <pwd.h>} and {@code <grp.h>}: users and groups by name, through the C library, so
 * that every source the system's NSS configuration names (files, LDAP, systemd's dynamic
 * users...) answers. The reentrant calls fill a buffer of ours, grown while they say
 * ERANGE.
 *
 * <pre>{@code
 * struct passwd { char *pw_name, *pw_passwd; uid_t pw_uid; gid_t pw_gid;   // 0, 8, 16, 20
 *                 char *pw_gecos, *pw_dir, *pw_shell; };                     // 24, 32, 40: 48
 * struct group  { char *gr_name, *gr_passwd; gid_t gr_gid; char **gr_mem; }; // 0, 8, 16, 24: 32
 * }</pre>
 */
public final class Pwd {
    private Pwd() {}

    private static final long PASSWD_SIZE = 48;
    private static final long PW_UID = 16;
    private static final long PW_GID = 20;
    private static final long GROUP_SIZE = 32;
    private static final long GR_GID = 16;
    /** Larger than any sane entry: a name service that still says ERANGE is broken. */
    private static final long MAX_BUFFER = 1 << 20;

    private static final FunctionDescriptor BY_NAME_FD =
            FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_LONG, C_POINTER);
    private static final class GetpwnamR {
        static final MethodHandle HANDLE = LibC.downcall("getpwnam_r", BY_NAME_FD);
    }
    private static final class GetgrnamR {
        static final MethodHandle HANDLE = LibC.downcall("getgrnam_r", BY_NAME_FD);
    }
    private static final class GetgrgidR {
        static final MethodHandle HANDLE = LibC.downcall("getgrgid_r",
                FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_LONG, C_POINTER));
    }
    private static final class Getgrouplist {
        static final MethodHandle HANDLE =
                LibC.downcall("getgrouplist", FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER, C_POINTER));
    }

    /** A user's numbers. */
    public record User(int uid, int gid) {}

    /**
     * Looks a user up by name.
     *
     * @param name the user name
     * @return the user's uid and primary gid, or null when there is no such user
     * @throws dev.uloop.NativeException when the lookup itself failed (not "no such user")
     */
    public static User user(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment entry = byName(GetpwnamR.HANDLE, "getpwnam_r", arena, name, PASSWD_SIZE);
            return entry == null ? null
                    : new User(entry.get(ValueLayout.JAVA_INT, PW_UID), entry.get(ValueLayout.JAVA_INT, PW_GID));
        }
    }

    /**
     * Looks a group up by name.
     *
     * @param name the group name
     * @return the gid, or -1 when there is no such group
     * @throws dev.uloop.NativeException when the lookup itself failed
     */
    public static int group(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment entry = byName(GetgrnamR.HANDLE, "getgrnam_r", arena, name, GROUP_SIZE);
            return entry == null ? -1 : entry.get(ValueLayout.JAVA_INT, GR_GID);
        }
    }

    /**
     * The name of a group.
     *
     * @param gid the group id
     * @return its name, or null when the group has none
     * @throws dev.uloop.NativeException when the lookup itself failed
     */
    public static String groupName(int gid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment entry =
                    lookup(GetgrgidR.HANDLE, "getgrgid_r", arena, gid, null, Integer.toString(gid), GROUP_SIZE);
            return entry == null ? null
                    : entry.get(ValueLayout.ADDRESS, 0).reinterpret(Integer.MAX_VALUE).getString(0);
        }
    }

    /** Calls {@code getpwnam_r} or {@code getgrnam_r}; the entry, or null when there is none. */
    private static MemorySegment byName(MethodHandle h, String call, Arena arena, String name, long entrySize) {
        return lookup(h, call, arena, 0, arena.allocateFrom(name), name, entrySize);
    }

    /**
     * Calls a reentrant lookup by name ({@code cName} not null) or by id; the entry (whose
     * strings live in the arena), or null when there is none.
     */
    private static MemorySegment lookup(MethodHandle h, String call, Arena arena, int id, MemorySegment cName,
                                        String name, long entrySize) {
        MemorySegment entry = arena.allocate(entrySize, 8);
        MemorySegment result = arena.allocate(ValueLayout.ADDRESS);
        MemorySegment st = LibC.errnoState();
        for (long size = 1024; ; size *= 2) {
            MemorySegment buf = arena.allocate(size);
            int r;
            try {
                r = cName != null ? (int) h.invokeExact(st, cName, entry, buf, size, result)
                        : (int) h.invokeExact(st, id, entry, buf, size, result);
            } catch (Throwable t) {
                throw LibC.rethrow(t);
            }
            if (r == Errno.ERANGE && size < MAX_BUFFER) {
                continue;
            }
            // The error is returned; "not found" is 0 (or, from some NSS modules, ENOENT/ESRCH) with a null result.
            if (r == 0 || r == Errno.ENOENT || r == Errno.ESRCH || r == Errno.EBADF || r == Errno.EPERM) {
                return result.get(ValueLayout.ADDRESS, 0).equals(MemorySegment.NULL) ? null : entry;
            }
            throw Errors.exception(call + "(" + name + ")", r);
        }
    }

    /**
     * The groups a user belongs to, as {@code initgroups} would set them: {@code gid} and
     * every group that lists the user as a member.
     *
     * @param user the user name
     * @param gid  the group to include (the primary group)
     * @return the gids, {@code gid} first
     */
    public static int[] groupList(String user, int gid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cUser = arena.allocateFrom(user);
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment st = LibC.errnoState();
            int n = 32;
            while (true) {
                MemorySegment list = arena.allocate(ValueLayout.JAVA_INT, n);
                count.set(ValueLayout.JAVA_INT, 0, n);
                int r;
                try {
                    r = (int) Getgrouplist.HANDLE.invokeExact(st, cUser, gid, list, count);
                } catch (Throwable t) {
                    throw LibC.rethrow(t);
                }
                int found = count.get(ValueLayout.JAVA_INT, 0);
                if (r >= 0) {
                    return list.asSlice(0, 4L * found).toArray(ValueLayout.JAVA_INT);
                }
                if (found <= n) {
                    throw Errors.exception("getgrouplist(" + user + ")", Errno.EINVAL);
                }
                n = found;
            }
        }
    }
}
