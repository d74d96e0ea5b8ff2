package dev.uloop.internal.net;

import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;

/**
 * How a datagram socket's engine turns the kernel's {@code sockaddr} bytes into address
 * objects and back: {@link AddressCache} for UDP, a Unix socket's own for Unix datagrams.
 * Reading a sender seen recently should allocate nothing.
 */
public interface AddressCodec {
    /**
     * The address in {@code addr}, {@code len} bytes long, as the kernel wrote it.
     *
     * @return the address (the same object for a sender seen recently)
     */
    SocketAddress read(MemorySegment addr, int len);

    /**
     * Writes {@code to} as a {@code sockaddr} into {@code out} (at least 128 bytes).
     *
     * @return the length to pass as {@code socklen_t}, or -1 when it cannot be sent to
     *         (an unnamed Unix socket)
     */
    int write(SocketAddress to, MemorySegment out);
}
