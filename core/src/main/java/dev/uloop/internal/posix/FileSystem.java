package dev.uloop.internal.posix;

import static dev.uloop.internal.posix.LibC.C_INT;
import static dev.uloop.internal.posix.LibC.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The few file-system calls a Unix domain socket's file needs: {@code chmod}, {@code unlink}
 * and {@code statx} (whose struct, unlike {@code struct stat}, is the same on every
 * architecture). Paths are C strings of bytes, as the kernel takes them. Each wrapper
 * returns the result, or {@code -errno}. None of these is on a hot path.
 */
public final class FileSystem {
    private FileSystem() {}

    /** {@code S_IFMT}: the file type bits of a mode. */
    public static final int S_IFMT = 0170000;
    /** {@code S_IFSOCK}: a socket. */
    public static final int S_IFSOCK = 0140000;
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int STATX_TYPE_MODE_INO = 0x2 | 0x1 | 0x100;   // STATX_MODE | STATX_TYPE | STATX_INO
    private static final int STATX_SIZE = 256;
    private static final long STX_MODE = 28;      // __u16
    private static final long STX_INO = 32;       // __u64
    private static final long STX_DEV_MAJOR = 136; // __u32
    private static final long STX_DEV_MINOR = 140; // __u32

    private static final class Chmod {
        static final MethodHandle HANDLE =
                LibC.downcall("chmod", FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    }
    private static final class Unlink {
        static final MethodHandle HANDLE =
                LibC.downcall("unlink", FunctionDescriptor.of(C_INT, C_POINTER));
    }
    private static final class Statx {
        static final MethodHandle HANDLE = LibC.downcall("statx",
                FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_INT, C_POINTER));
    }

    /**
     * What {@link #stat} tells about a file: enough to know whether it is a socket and
     * whether it is still the same file.
     *
     * @param mode   type and permission bits
     * @param device the device (major and minor) it lives on
     * @param inode  its inode number
     */
    public record Stat(int mode, long device, long inode) {
        /** Whether the file is a socket. */
        public boolean isSocket() {
            return (mode & S_IFMT) == S_IFSOCK;
        }
    }

    /** {@code int chmod(const char *path, mode_t mode)}. */
    public static int chmod(byte[] path, int mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = LibC.errnoState();
            return LibC.result((int) Chmod.HANDLE.invokeExact(st, cString(a, path), mode), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int unlink(const char *path)}. */
    public static int unlink(byte[] path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = LibC.errnoState();
            return LibC.result((int) Unlink.HANDLE.invokeExact(st, cString(a, path)), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * {@code statx} of a path, not following a last symbolic link.
     *
     * @param path  the path's bytes
     * @param errno where to put the errno when it fails (one element), or null
     * @return what it is, or null when it failed
     */
    public static Stat stat(byte[] path, int[] errno) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(STATX_SIZE, 8);
            MemorySegment st = LibC.errnoState();
            int r = LibC.result((int) Statx.HANDLE.invokeExact(st, AT_FDCWD, cString(a, path), AT_SYMLINK_NOFOLLOW,
                    STATX_TYPE_MODE_INO, buf), st);
            if (r < 0) {
                if (errno != null) {
                    errno[0] = -r;
                }
                return null;
            }
            int mode = Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, STX_MODE));
            long dev = ((long) buf.get(ValueLayout.JAVA_INT, STX_DEV_MAJOR) << 32)
                    | Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT, STX_DEV_MINOR));
            return new Stat(mode, dev, buf.get(ValueLayout.JAVA_LONG, STX_INO));
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    private static MemorySegment cString(Arena a, byte[] path) {
        MemorySegment s = a.allocate(path.length + 1L);
        MemorySegment.copy(path, 0, s, ValueLayout.JAVA_BYTE, 0, path.length);
        return s;
    }
}
