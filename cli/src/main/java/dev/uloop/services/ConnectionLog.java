package dev.uloop.services;

import dev.uloop.net.Addresses;
import dev.uloop.net.Transport;
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

    /**
     * The peer of a connection for these lines: {@code 127.0.0.1:40000}, or on a Unix socket,
     * where there is no address to speak of, the peer process: {@code pid 4242 uid 1000 gid 1000}.
     */
    static String peer(Transport t) {
        return t.peerCredentials().map(c -> "pid " + c.pid() + " uid " + c.uid() + " gid " + c.gid())
                .orElseGet(() -> Addresses.format(t.remoteAddress()));
    }

    static void opened(String service, String peer) {
        LOG.log(Level.DEBUG, service + ": connection from " + peer);
    }

    static void closed(String service, String peer, Throwable cause) {
        LOG.log(Level.DEBUG, service + ": connection from " + peer + " closed"
                + (cause == null ? "" : " (" + cause.getMessage() + ")"));
    }

    static void closed(String service, InetSocketAddress peer, Throwable cause) {
        LOG.log(Level.DEBUG, service + ": connection from " + Addresses.format(peer) + " closed"
                + (cause == null ? "" : " (" + cause.getMessage() + ")"));
    }
}
