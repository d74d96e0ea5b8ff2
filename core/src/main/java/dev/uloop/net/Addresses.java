package dev.uloop.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Formatting of socket addresses the way people write them. */
public final class Addresses {
    private Addresses() {}

    /**
     * Formats an address as {@code 127.0.0.1:7007} or {@code [::1]:7007}.
     *
     * @param address an address (resolved or not)
     * @return the text form
     */
    public static String format(InetSocketAddress address) {
        if (address == null) {
            return "?";
        }
        InetAddress ip = address.getAddress();
        if (ip == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        if (ip instanceof Inet6Address) {
            return "[" + host(ip) + "]:" + address.getPort();
        }
        return ip.getHostAddress() + ":" + address.getPort();
    }

    /**
     * The textual form of an IP address, with IPv6 in its short form (RFC 5952: the longest
     * run of zero groups as {@code ::}, lower case, no leading zeros).
     *
     * @param ip an address
     * @return for example {@code "::1"} or {@code "192.0.2.1"}
     */
    public static String host(InetAddress ip) {
        if (!(ip instanceof Inet6Address v6)) {
            return ip.getHostAddress();
        }
        byte[] b = v6.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        if (v6.getScopeId() != 0) {
            sb.append('%').append(v6.getScopeId());
        }
        return sb.toString();
    }
}
