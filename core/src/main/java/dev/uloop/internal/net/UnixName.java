package dev.uloop.internal.net;

import dev.uloop.internal.posix.Socket;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketException;
import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * The name of a Unix domain socket as the kernel takes it: a file-system path, or a Linux
 * abstract name (no file; {@code sun_path} starts with a NUL byte), or no name at all (an
 * unbound or unnamed socket). Written as {@code struct sockaddr_un}:
 *
 * <pre>{@code
 * struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; };
 * }</pre>
 * A path takes at most 107 bytes (its NUL ends it), an abstract name at most 107 (after its
 * leading NUL); an abstract name's length is the address length, as systemd and socat spell it.
 *
 * @param bytes      the path's or name's bytes (without any NUL); empty when unnamed
 * @param isAbstract a Linux abstract name
 */
public record UnixName(byte[] bytes, boolean isAbstract) {
    /** The most bytes a path or an abstract name may have. */
    public static final int MAX_BYTES = 107;
    private static final int PATH_OFFSET = 2;
    private static final Charset NATIVE =
            Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"), java.nio.charset.StandardCharsets.UTF_8);

    /** The name of an unnamed socket. */
    public static final UnixName UNNAMED = new UnixName(new byte[0], false);

    /**
     * A file-system path.
     *
     * @throws SocketException when it is empty or longer than {@value #MAX_BYTES} bytes
     */
    public static UnixName path(String path) throws SocketException {
        return checked(new UnixName(path.getBytes(NATIVE), false), "path");
    }

    /**
     * A Linux abstract name (without the leading NUL or {@code @}).
     *
     * @throws SocketException when it is empty or longer than {@value #MAX_BYTES} bytes
     */
    public static UnixName abstractName(String name) throws SocketException {
        return checked(new UnixName(name.getBytes(java.nio.charset.StandardCharsets.UTF_8), true), "abstract name");
    }

    private static UnixName checked(UnixName n, String what) throws SocketException {
        if (n.bytes.length == 0) {
            throw new SocketException("empty Unix socket " + what);
        }
        if (n.bytes.length > MAX_BYTES) {
            throw new SocketException("Unix socket " + what + " too long: " + n + " has " + n.bytes.length
                    + " bytes, at most " + MAX_BYTES + " fit in sun_path");
        }
        return n;
    }

    /** Whether this names nothing (an unbound socket's name, or an unnamed peer's). */
    public boolean isUnnamed() {
        return bytes.length == 0;
    }

    /** The path or name as text. */
    public String text() {
        return isAbstract ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8) : new String(bytes, NATIVE);
    }

    /**
     * Writes the {@code struct sockaddr_un} into {@code out} (at least 110 bytes).
     *
     * @return the length to pass as {@code socklen_t}
     */
    public int write(MemorySegment out) {
        out.asSlice(0, PATH_OFFSET + MAX_BYTES + 1).fill((byte) 0);
        out.set(ValueLayout.JAVA_SHORT, 0, (short) Socket.AF_UNIX);
        int at = PATH_OFFSET + (isAbstract ? 1 : 0);
        MemorySegment.copy(bytes, 0, out, ValueLayout.JAVA_BYTE, at, bytes.length);
        return isAbstract ? at + bytes.length : at + bytes.length + 1;
    }

    /**
     * Reads a {@code struct sockaddr_un} the kernel wrote, {@code len} bytes long.
     *
     * @return the name, or null when it is not an {@code AF_UNIX} address
     */
    public static UnixName read(MemorySegment in, int len) {
        if (len < PATH_OFFSET || in.get(ValueLayout.JAVA_SHORT, 0) != Socket.AF_UNIX) {
            return null;
        }
        int n = Math.min(len, PATH_OFFSET + MAX_BYTES + 1) - PATH_OFFSET;
        if (n == 0) {
            return UNNAMED;
        }
        if (in.get(ValueLayout.JAVA_BYTE, PATH_OFFSET) == 0) {
            return new UnixName(in.asSlice(PATH_OFFSET + 1, n - 1).toArray(ValueLayout.JAVA_BYTE), true);
        }
        int end = 0;
        while (end < n && in.get(ValueLayout.JAVA_BYTE, PATH_OFFSET + end) != 0) {
            end++;
        }
        return new UnixName(in.asSlice(PATH_OFFSET, end).toArray(ValueLayout.JAVA_BYTE), false);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnixName u && u.isAbstract == isAbstract && Arrays.equals(u.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + (isAbstract ? 1 : 0);
    }

    /** The path, {@code @name} for an abstract name, {@code (unnamed)} for none. */
    @Override
    public String toString() {
        return isUnnamed() ? "(unnamed)" : isAbstract ? "@" + text() : text();
    }
}
