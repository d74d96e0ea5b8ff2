package dev.uloop.net;

/**
 * Options for {@link TcpServer#listen} and {@link UdpEndpoint#bind}. Fluent setters; the
 * defaults are given on each. Backlog and TCP_NODELAY apply to TCP only.
 */
public final class SocketOptions {
    int backlog = 1024;
    boolean reuseAddress = true;
    boolean reusePort;
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
     * SO_REUSEPORT (default off): several sockets on one port, the kernel spreading the load.
     *
     * @param on whether to set it
     * @return this
     */
    public SocketOptions reusePort(boolean on) {
        reusePort = on;
        return this;
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
