package dev.uloop.services;

import dev.uloop.net.Addresses;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;

/** DEBUG lines for TCP connections opening and closing, shared by every server (logger {@code uloop.services}). */
final class ConnectionLog {
    private ConnectionLog() {}

    static final System.Logger LOG = System.getLogger("uloop.services");

    static boolean enabled() {
        return LOG.isLoggable(Level.DEBUG);
    }

    static void opened(String service, InetSocketAddress peer) {
        LOG.log(Level.DEBUG, service + ": connection from " + Addresses.format(peer));
    }

    static void closed(String service, InetSocketAddress peer, Throwable cause) {
        LOG.log(Level.DEBUG, service + ": connection from " + Addresses.format(peer) + " closed"
                + (cause == null ? "" : " (" + cause.getMessage() + ")"));
    }
}
