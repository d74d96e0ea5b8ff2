package dev.uloop.net;

import dev.uloop.internal.net.Sockets;
import java.net.SocketException;
import java.time.Duration;

/**
 * Options for {@link TcpServer#listen}, {@link UdpEndpoint#bind} and their group versions
 * ({@link TcpServerGroup#listen}, {@link UdpEndpointGroup#bind}). Fluent setters; the
 * defaults are given on each. Backlog, TCP_NODELAY, the connection limits and the idle
 * timeout apply to TCP only.
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
    int maxConnections;          // 0: no limit
    int maxPerSource;            // 0: no limit
    Duration idleTimeout;        // null: none

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

    /**
     * The most connections a TCP server has open at once, as xinetd's {@code instances}
     * (default 0: no limit). A connection accepted over the limit is closed at once, and
     * counted ({@link TcpServer#refusedCount()}); refusals are logged at most once every 10
     * seconds. For a {@link TcpServerGroup} the limit holds for all its loops together.
     *
     * @param n connections, 0 for no limit
     * @return this
     * @throws IllegalArgumentException for a negative number
     */
    public SocketOptions maxConnections(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative connection limit " + n);
        }
        maxConnections = n;
        return this;
    }

    /**
     * The most connections a TCP server has open at once from one client IP address, as
     * xinetd's {@code per_source} (default 0: no limit); otherwise as {@link #maxConnections}.
     *
     * @param n connections per source address, 0 for no limit
     * @return this
     * @throws IllegalArgumentException for a negative number
     */
    public SocketOptions maxConnectionsPerSource(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative per-source connection limit " + n);
        }
        maxPerSource = n;
        return this;
    }

    /**
     * Closes an accepted TCP connection that has neither received nor sent a byte for this
     * long (default null: never), as {@link TcpConnection#setIdleTimeout} does for one
     * connection; a protocol may change it for its connection in
     * {@link Protocol#connectionMade}.
     *
     * @param timeout how long a connection may stay idle (positive), or null for no limit
     * @return this
     * @throws IllegalArgumentException for a timeout that is zero or negative
     */
    public SocketOptions idleTimeout(Duration timeout) {
        idleTimeout = IdleTimer.check(timeout);
        return this;
    }

    /** A limiter for the connection limits, or null without limits. */
    ConnectionLimiter newLimiter() {
        return maxConnections == 0 && maxPerSource == 0 ? null : new ConnectionLimiter(maxConnections, maxPerSource);
    }
}
