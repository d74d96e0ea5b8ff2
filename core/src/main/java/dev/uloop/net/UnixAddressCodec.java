package dev.uloop.net;

import dev.uloop.internal.net.AddressCodec;
import dev.uloop.internal.net.UnixName;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * A Unix datagram socket's addresses: the last sender's raw {@code sockaddr_un} is kept, so
 * that a client sending again and again is the same address object, not a new one each time.
 */
final class UnixAddressCodec implements AddressCodec {
    private final MemorySegment last = Arena.ofAuto().allocate(128, 8);
    private int lastLen = -1;
    private SocketAddress lastAddress;

    @Override
    public SocketAddress read(MemorySegment addr, int len) {
        if (len == lastLen && MemorySegment.mismatch(addr, 0, len, last, 0, len) < 0) {
            return lastAddress;
        }
        UnixName name = UnixName.read(addr, len);
        SocketAddress a = Unix.address(name);
        MemorySegment.copy(addr, 0, last, 0, Math.min(len, 128));
        lastLen = Math.min(len, 128);
        lastAddress = a;
        return a;
    }

    @Override
    public int write(SocketAddress to, MemorySegment out) {
        if (Unix.UNNAMED.equals(to)) {
            return -1;
        }
        try {
            return Unix.name(to).write(out);
        } catch (SocketException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
