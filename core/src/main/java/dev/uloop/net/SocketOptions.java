package dev.uloop.net;

import dev.uloop.internal.net.Sockets;
import java.net.SocketException;

/**
 * Options for {@link TcpServer#listen}, {@link UdpEndpoint#bind} and their group versions
 * ({@link TcpServerGroup#listen}, {@link UdpEndpointGroup#bind}). Fluent setters; the
 * defaults are given on each. Backlog and TCP_NODELAY apply to TCP only.
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="options"}
 */
public final class SocketOptions {
    int backlog = 1024;
    boolean reuseAddress = true;
    Boolean reusePort;           // null: the default, which depends on single socket or group
    boolean noDelay = true;
    boolean dualStack;
    boolean receiveTimestamps;

    /** Creates the defaults. */
    public SocketOptions() {
    }

    /**
     * Listen backlog (default 1024, capped by the kernel's somaxconn). TCP only.
     *
     * @param n pending connections
     * @return this
     */
    public SocketOptions backlog(int n) {
        backlog = n;
        return this;
    }

    /**
     * SO_REUSEADDR (default on), so a restarted server can bind while old connections linger.
     *
     * @param on whether to set it
     * @return this
     */
    public SocketOptions reuseAddress(boolean on) {
        reuseAddress = on;
        return this;
    }

    /**
     * SO_REUSEPORT: several sockets on one port, the kernel spreading connections and
     * datagrams over them (by a hash of the addresses and ports of both ends).
     *
     * <p>For a single socket ({@link TcpServer#listen}, {@link UdpEndpoint#bind}) it is off
     * by default. For a server over an {@link dev.uloop.EventLoopGroup} of more than one loop
     * it is on by default where the kernel has it, with one socket per loop; there
     * {@code reusePort(true)} insists on it (binding fails where the kernel lacks it), and
     * {@code reusePort(false)} binds one socket on loop 0 instead: for TCP one acceptor that
     * hands the connections to the loops in turn, for UDP one endpoint on loop 0.
     *
     * @param on whether to set it
     * @return this
     */
    public SocketOptions reusePort(boolean on) {
        reusePort = on;
        return this;
    }

    /**
     * For a server over {@code loops} loops: one socket per loop with SO_REUSEPORT (true), or
     * one socket on the first loop (false).
     */
    boolean sharePort(int loops) throws SocketException {
        if (loops < 2 || Boolean.FALSE.equals(reusePort)) {
            return false;
        }
        if (Sockets.reusePortAvailable()) {
            return true;
        }
        if (reusePort == null) {
            return false;
        }
        throw new SocketException("SO_REUSEPORT is not available here; reusePort(false) serves a group from"
                + " one socket on its first loop");
    }

    /** SO_REUSEPORT for a single socket: off unless asked for. */
    boolean reusePortForOneSocket() {
        return reusePort != null && reusePort;
    }

    /**
     * TCP_NODELAY on accepted connections (default on: small writes leave at once). TCP only.
     *
     * @param on whether to set it
     * @return this
     */
    public SocketOptions noDelay(boolean on) {
        noDelay = on;
        return this;
    }

    /**
     * For an IPv6 wildcard address: accept IPv4 too (default off: IPv6 only).
     *
     * @param on whether to clear IPV6_V6ONLY
     * @return this
     */
    public SocketOptions dualStack(boolean on) {
        dualStack = on;
        return this;
    }

    /**
     * Kernel receive timestamps (SO_TIMESTAMPNS, default off): each datagram carries the
     * wall-clock time the kernel took it off the network, read by
     * {@link UdpEndpoint#receiveTimeNanos()}. For time protocols, where the moment of arrival
     * is part of the answer. UDP only.
     *
     * @param on whether to ask for them
     * @return this
     */
    public SocketOptions receiveTimestamps(boolean on) {
        receiveTimestamps = on;
        return this;
    }
}
