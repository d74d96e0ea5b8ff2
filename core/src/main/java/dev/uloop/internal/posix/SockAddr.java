package dev.uloop.internal.posix;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * {@code struct sockaddr_in} and {@code struct sockaddr_in6}, and conversion to and from
 * {@link InetSocketAddress}.
 *
 * <pre>{@code
 * struct sockaddr_in  { sa_family_t family; in_port_t port; struct in_addr addr; char zero[8]; };  // 16
 * struct sockaddr_in6 { sa_family_t family; in_port_t port; uint32_t flowinfo;
 *                       struct in6_addr addr; uint32_t scope_id; };                               // 28
 * }</pre>
 * Ports and IPv4 addresses are in network byte order.
 */
public final class SockAddr {
    private SockAddr() {}

    private static final ValueLayout.OfShort NET_SHORT =
            ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    /** {@code struct sockaddr_in}. */
    public static final StructLayout IN = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sin_family"),
            NET_SHORT.withName("sin_port"),
            ValueLayout.JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_BYTE).withName("sin_zero"));

    /** {@code struct sockaddr_in6}. */
    public static final StructLayout IN6 = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("sin6_family"),
            NET_SHORT.withName("sin6_port"),
            ValueLayout.JAVA_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("sin6_addr"),
            ValueLayout.JAVA_INT.withName("sin6_scope_id"));

    /** Size of {@code struct sockaddr_storage}: room for any address. */
    public static final int STORAGE_SIZE = 128;

    /**
     * Writes {@code address} into {@code out} (at least {@link #STORAGE_SIZE} bytes).
     *
     * @return the length to pass as {@code socklen_t}
     */
    public static int write(InetSocketAddress address, MemorySegment out) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        out.asSlice(0, IN6.byteSize()).fill((byte) 0);
        if (ip instanceof Inet4Address) {
            out.set(ValueLayout.JAVA_SHORT, 0, (short) Socket.AF_INET);
            out.set(NET_SHORT, 2, (short) address.getPort());
            MemorySegment.copy(MemorySegment.ofArray(ip.getAddress()), 0, out, 4, 4);
            return (int) IN.byteSize();
        }
        Inet6Address ip6 = (Inet6Address) ip;
        out.set(ValueLayout.JAVA_SHORT, 0, (short) Socket.AF_INET6);
        out.set(NET_SHORT, 2, (short) address.getPort());
        MemorySegment.copy(MemorySegment.ofArray(ip6.getAddress()), 0, out, 8, 16);
        out.set(ValueLayout.JAVA_INT, 24, ip6.getScopeId());
        return (int) IN6.byteSize();
    }

    /**
     * Reads a socket address written by the kernel.
     *
     * @return the address, or {@code null} for a family other than IPv4 and IPv6
     */
    public static InetSocketAddress read(MemorySegment in) {
        int family = in.get(ValueLayout.JAVA_SHORT, 0);
        int port = Short.toUnsignedInt(in.get(NET_SHORT, 2));
        try {
            if (family == Socket.AF_INET) {
                byte[] a = in.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(a), port);
            }
            if (family == Socket.AF_INET6) {
                byte[] a = in.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
                int scope = in.get(ValueLayout.JAVA_INT, 24);
                InetAddress ip = scope != 0
                        ? Inet6Address.getByAddress(null, a, scope)
                        : InetAddress.getByAddress(a);
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4- and 16-byte arrays
        }
        return null;
    }

    /**
     * The address family of an address, as {@code AF_INET} or {@code AF_INET6}.
     *
     * @param address a resolved address
     * @return the family constant
     */
    public static int family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? Socket.AF_INET6 : Socket.AF_INET;
    }
}
