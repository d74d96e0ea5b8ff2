package dev.uloop.net;

import java.io.Serial;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Objects;

/**
 * The address of a Linux abstract Unix domain socket: a name in the kernel's abstract
 * namespace, with no file behind it (it disappears with the last socket bound to it, and
 * file permissions do not apply). {@link UnixDomainSocketAddress} names sockets by a
 * file-system path; this names the abstract ones, which socat and systemd write with a
 * leading {@code @} ({@code @uloop-echo}). {@link Unix#address(String)} reads both spellings.
 */
public final class AbstractUnixAddress extends SocketAddress {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The name, without the leading {@code @} (or NUL byte). */
    private final String name;

    private AbstractUnixAddress(String name) {
        this.name = name;
    }

    /**
     * An abstract name.
     *
     * @param name the name without the leading {@code @}: 1 to 107 bytes in UTF-8
     * @return the address
     * @throws IllegalArgumentException when the name is empty or too long
     */
    public static AbstractUnixAddress of(String name) {
        Objects.requireNonNull(name, "name");
        int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > 107) {
            throw new IllegalArgumentException("an abstract Unix socket name has 1 to 107 bytes, not " + bytes
                    + (bytes == 0 ? "" : ": @" + name));
        }
        return new AbstractUnixAddress(name);
    }

    /**
     * The name.
     *
     * @return the name, without the leading {@code @}
     */
    public String name() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AbstractUnixAddress a && a.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    /**
     * The name as socat and systemd write it.
     *
     * @return {@code @name}
     */
    @Override
    public String toString() {
        return "@" + name;
    }
}
