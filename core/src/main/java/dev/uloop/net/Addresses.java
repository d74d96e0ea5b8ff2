package dev.uloop.net;

import dev.uloop.internal.net.AddressFormat;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Formatting of socket addresses the way people write them.
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="addresses"}
 */
public final class Addresses {
    private Addresses() {}

    /**
     * Formats an address as {@code 127.0.0.1:7007} or {@code [::1]:7007}.
     *
     * @param address an address (resolved or not)
     * @return the text form
     */
    public static String format(InetSocketAddress address) {
        return AddressFormat.format(address);
    }

    /**
     * An IP address as text; IPv6 in its shortest form (RFC 5952: the longest run of zero
     * groups as {@code ::}, lower case), with its scope id.
     *
     * @param ip an address
     * @return for example {@code 2001:db8::1}
     */
    public static String host(InetAddress ip) {
        return AddressFormat.host(ip);
    }
}
