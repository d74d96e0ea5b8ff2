package dev.uloop.internal.net;

import dev.uloop.internal.posix.SockAddr;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;

/**
 * Maps raw {@code sockaddr} bytes from recvfrom to {@link InetSocketAddress} objects without
 * allocating for peers seen recently: a direct-mapped table of 256 entries keyed by the
 * 28 bytes of a {@code sockaddr_in6} (16 of a {@code sockaddr_in}, zero-padded).
 */
public final class AddressCache implements AddressCodec {
    private static final int SLOTS = 256;
    private final long[] keys = new long[SLOTS * 4];
    private final InetSocketAddress[] values = new InetSocketAddress[SLOTS];

    @Override
    public InetSocketAddress read(MemorySegment addr, int len) {
        return lookup(addr, len);
    }

    @Override
    public int write(java.net.SocketAddress to, MemorySegment out) {
        return SockAddr.write((InetSocketAddress) to, out);
    }

    /** The address in {@code addr} (whose length is {@code len}), from the cache when possible. */
    public InetSocketAddress lookup(MemorySegment addr, int len) {
        long k0 = addr.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        long k1 = addr.get(ValueLayout.JAVA_LONG_UNALIGNED, 8);
        long k2 = len > 16 ? addr.get(ValueLayout.JAVA_LONG_UNALIGNED, 16) : 0;
        long k3 = len > 24 ? addr.get(ValueLayout.JAVA_INT_UNALIGNED, 24) : 0;
        long h = k0 * 0x9E3779B97F4A7C15L ^ k1 * 0xC2B2AE3D27D4EB4FL ^ k2 * 0x165667B19E3779F9L ^ k3;
        int slot = (int) (h ^ (h >>> 29) ^ (h >>> 47)) & (SLOTS - 1);
        int k = slot * 4;
        InetSocketAddress v = values[slot];
        if (v != null && keys[k] == k0 && keys[k + 1] == k1 && keys[k + 2] == k2 && keys[k + 3] == k3) {
            return v;
        }
        v = SockAddr.read(addr);
        keys[k] = k0;
        keys[k + 1] = k1;
        keys[k + 2] = k2;
        keys[k + 3] = k3;
        values[slot] = v;
        return v;
    }
}
