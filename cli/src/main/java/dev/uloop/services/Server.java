package dev.uloop.services;

import dev.uloop.Backend;
import dev.uloop.net.Addresses;
import dev.uloop.net.InheritedSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.StringJoiner;

/**
 * A running service: TCP and/or UDP sockets and the thread(s) serving them. Made by
 * {@link #onLoop} (one event-loop thread, or several) or {@link #blocking} (JDK blocking sockets, one
 * thread per connection), both behind the same life cycle, so tests and the command line
 * treat them alike:
 *
 * <pre>{@code
 * Server s = Server.onLoop(ServiceConfig.of(Service.ECHO).withPort(0), Backend.POLL);
 * s.start();                       // binds, then serves on its own thread
 * InetSocketAddress at = s.tcpAddress();
 * ...
 * s.stop();                        // graceful: stop accepting, flush, close
 * }</pre>
 */
public interface Server extends AutoCloseable {
    /**
     * A server on an event loop: one thread, non-blocking sockets.
     *
     * @param config  what to serve
     * @param backend the loop's backend
     * @return a server, not started
     */
    static Server onLoop(ServiceConfig config, Backend backend) {
        return onLoop(config, backend, 1);
    }

    /**
     * A server on {@code loops} event loops, each on its own thread; with more than one, each
     * loop has its own sockets on the port (SO_REUSEPORT) and the kernel spreads the load.
     *
     * @param config  what to serve
     * @param backend the loops' backend
     * @param loops   how many loops (1 or more)
     * @return a server, not started
     */
    static Server onLoop(ServiceConfig config, Backend backend, int loops) {
        return new LoopServer(config, backend, loops);
    }

    /**
     * A server on sockets another process bound and passed on (systemd's socket activation):
     * at most one listening TCP socket and one UDP socket, which {@code config}'s protocols
     * must match; its host and port are not used. With more than one loop, loop 0 accepts and
     * hands the connections to the loops in turn, and loop 0 answers UDP.
     *
     * @param config  what to serve
     * @param backend the loops' backend
     * @param loops   how many loops (1 or more)
     * @param sockets the sockets to serve
     * @return a server, not started
     */
    static Server onLoop(ServiceConfig config, Backend backend, int loops, java.util.List<InheritedSocket> sockets) {
        return new LoopServer(config, backend, loops, sockets);
    }

    /**
     * A server on event loops that also serves Unix domain sockets, on loop 0: a stream
     * socket with the TCP protocol and a datagram socket with the UDP replies, whose files
     * a stop removes. With {@code config} serving neither TCP nor UDP, only those.
     *
     * @param config  what to serve
     * @param backend the loops' backend
     * @param loops   how many loops (1 or more)
     * @param sockets sockets systemd passed (see above), or an empty list
     * @param unix    the Unix sockets
     * @return a server, not started
     */
    static Server onLoop(ServiceConfig config, Backend backend, int loops, java.util.List<InheritedSocket> sockets,
                         UnixConfig unix) {
        return new LoopServer(config, backend, loops, sockets, unix);
    }

    /**
     * A server on JDK blocking sockets: one thread per TCP connection, one for the UDP socket.
     *
     * @param config         what to serve
     * @param virtualThreads true for virtual threads, false for platform threads
     * @return a server, not started
     */
    static Server blocking(ServiceConfig config, boolean virtualThreads) {
        return new BlockingServer(config, virtualThreads);
    }

    /**
     * What it serves.
     *
     * @return the settings
     */
    ServiceConfig config();

    /**
     * Binds the sockets (TCP first; with port 0, UDP then takes TCP's port if it is free)
     * and starts serving on a thread of its own. Returns once the sockets are bound.
     *
     * @throws java.net.BindException for a busy or privileged port, with a one-line message
     * @throws IOException            for other failures; nothing is left open
     */
    default void start() throws IOException {
        start(() -> { });
    }

    /**
     * {@link #start()}, running {@code beforeServing} on the calling thread once every socket
     * is bound and before the first client is served: where a daemon gives up root.
     *
     * @param beforeServing what to do between binding and serving; if it throws, the sockets
     *                      are closed and the exception goes on to the caller
     * @throws java.net.BindException for a busy or privileged port, with a one-line message
     * @throws IOException            for other failures; nothing is left open
     */
    void start(Runnable beforeServing) throws IOException;

    /**
     * The TCP address, with the real port.
     *
     * @return the address, or null when TCP is not served (or not started)
     */
    InetSocketAddress tcpAddress();

    /**
     * The UDP address, with the real port.
     *
     * @return the address, or null when UDP is not served (or not started)
     */
    InetSocketAddress udpAddress();

    /**
     * The Unix domain sockets served, for the ready line.
     *
     * @return for example {@code unix /run/uloop/echo.sock}; empty when none
     */
    default java.util.List<String> unixEndpoints() {
        return java.util.List.of();
    }

    /**
     * The address of the metrics endpoint ({@code GET /metrics}), with the real port.
     *
     * @return the address, or null when there is none (or it is not started)
     */
    default InetSocketAddress metricsAddress() {
        return null;
    }

    /**
     * How it serves, for the ready line.
     *
     * @return {@code backend epoll}, {@code backend epoll, 2 loops}, {@code blocking, platform threads} or
     *         {@code blocking, virtual threads}
     */
    String mode();

    /**
     * The UDP guard, with its drop counters.
     *
     * @return the guard, or null when UDP is not served
     */
    UdpGuard guard();

    /**
     * Counters so far, on one line.
     *
     * @return for example {@code tcp: 3 connections; udp: 5 answered, 1 dropped (1 loop, 0 rate)}
     */
    String summary();

    /**
     * Stops gracefully: stops accepting and receiving, lets each open connection flush what it
     * has queued for up to the grace period, closes what is left, and waits (bounded) for the
     * serving threads to end. Idempotent; safe from any thread but the server's own (an
     * event-loop server's stop waits for its loop thread).
     *
     * @return true if the serving threads ended in time; connections still flushing after the
     *         grace period are aborted either way (with a WARNING)
     */
    boolean stop();

    /** Same as {@link #stop()}. */
    @Override
    default void close() {
        stop();
    }

    /**
     * The line {@code uloop serve} prints once listening, for example
     * {@code uloop echo ready: tcp 127.0.0.1:7007, udp 127.0.0.1:7007 (backend epoll)}, with
     * {@code unix PATH} and {@code unix-datagram PATH} for Unix sockets; scripts and tests
     * read the addresses with {@code tcp (\S+)} and {@code udp (\S+)}. With a metrics
     * endpoint the line ends with {@code ; metrics http://127.0.0.1:9100/metrics}.
     *
     * @return the line, without a line end
     */
    default String readyLine() {
        StringJoiner served = new StringJoiner(", ");
        if (tcpAddress() != null) {
            served.add("tcp " + Addresses.format(tcpAddress()));
        }
        if (udpAddress() != null) {
            served.add("udp " + Addresses.format(udpAddress()));
        }
        unixEndpoints().forEach(served::add);
        InetSocketAddress m = metricsAddress();
        return "uloop " + config().service().id() + " ready: " + served + " (" + mode() + ")"
                + (m == null ? "" : "; metrics http://" + Addresses.format(m) + "/metrics");
    }
}
