package dev.uloop.internal.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * errno constants used by uloop and their names and texts.
 *
 * <p>Names and texts come from glibc's thread-safe {@code strerrorname_np} and
 * {@code strerrordesc_np} (glibc 2.32+) and are cached; on a C library without them a
 * small built-in table names the common values.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EPIPE = 32;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ETIME = 62;
    public static final int EPROTO = 71;
    public static final int ENOTSOCK = 88;
    public static final int EMSGSIZE = 90;
    public static final int EOPNOTSUPP = 95;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOBUFS = 105;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EALREADY = 114;
    public static final int EINPROGRESS = 115;
    public static final int ECANCELED = 125;

    private static final int CACHE = 160;
    private static final String[] NAMES = new String[CACHE];
    private static final String[] TEXTS = new String[CACHE];

    private static final class NameNp {
        static final MethodHandle HANDLE =
                LibC.plainDowncall("strerrorname_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }
    private static final class DescNp {
        static final MethodHandle HANDLE =
                LibC.plainDowncall("strerrordesc_np", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    /**
     * The symbolic name of an errno value.
     *
     * @param errno a positive errno
     * @return for example {@code "EBADF"}, or {@code "errno 999"} when unknown
     */
    public static String name(int errno) {
        if (errno > 0 && errno < CACHE && NAMES[errno] != null) {
            return NAMES[errno];
        }
        String s = lookup(NameNp.HANDLE, errno);
        if (s == null) {
            s = fallbackName(errno);
        }
        if (errno > 0 && errno < CACHE) {
            NAMES[errno] = s;
        }
        return s;
    }

    /**
     * The text of an errno value, as {@code strerror} gives it.
     *
     * @param errno a positive errno
     * @return for example {@code "Bad file descriptor"}
     */
    public static String description(int errno) {
        if (errno > 0 && errno < CACHE && TEXTS[errno] != null) {
            return TEXTS[errno];
        }
        String s = lookup(DescNp.HANDLE, errno);
        if (s == null) {
            s = "Unknown error " + errno;
        }
        if (errno > 0 && errno < CACHE) {
            TEXTS[errno] = s;
        }
        return s;
    }

    private static String lookup(MethodHandle mh, int errno) {
        if (mh == null) {
            return null;
        }
        try {
            MemorySegment p = (MemorySegment) mh.invokeExact(errno);
            if (p.equals(MemorySegment.NULL)) {
                return null;
            }
            return p.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return null;
        }
    }

    private static String fallbackName(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case EACCES -> "EACCES";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL";
            case EMFILE -> "EMFILE";
            case EPIPE -> "EPIPE";
            case EADDRINUSE -> "EADDRINUSE";
            case ECONNRESET -> "ECONNRESET";
            case ECONNREFUSED -> "ECONNREFUSED";
            default -> "errno " + errno;
        };
    }
}
