package dev.uloop.net;

import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.Sockets;
import dev.uloop.internal.posix.Unistd;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A TCP or UDP socket this process was given already open, by number: by systemd's socket
 * activation (descriptors from 3, see {@link dev.uloop.daemon.SocketActivation}), or by
 * inetd, xinetd or systemd's {@code Accept=yes} (standard input). Socket activation may also
 * pass a listening Unix stream socket or a Unix datagram socket ({@link #isUnix()}). It is
 * the one place where the network layer takes a file descriptor; {@link TcpServer#adopt},
 * {@link UdpEndpoint#adopt}, their group versions, {@link Tcp#adopt},
 * {@link UnixServer#adopt} and {@link UnixDatagramEndpoint#adopt} serve it on a loop, on
 * every backend.
 *
 * {@snippet class="dev.uloop.snippets.DaemonSnippets" region="inherited"}
 *
 * <p>{@link #of} asks the kernel what the descriptor is (SO_TYPE, SO_DOMAIN, SO_ACCEPTCONN,
 * its addresses) and changes nothing; serving it makes it non-blocking and close-on-exec
 * and hands it to the server, which closes it when it closes. Each one can be served once.
 */
public final class InheritedSocket {
    private final int fd;
    private final String name;
    private final Sockets.Probe probe;
    private boolean taken;

    private InheritedSocket(int fd, String name, Sockets.Probe probe) {
        this.fd = fd;
        this.name = name;
        this.probe = probe;
    }

    /**
     * The socket open as descriptor {@code fd}.
     *
     * @param fd a descriptor this process inherited
     * @return the socket
     * @throws IOException when it is not open, not a socket, or neither TCP or UDP over IPv4
     *                     or IPv6 nor a listening Unix stream socket or a named Unix datagram
     *                     socket ({@code fd 0 is not a socket}), in one line
     */
    public static InheritedSocket of(int fd) throws IOException {
        return of(fd, null);
    }

    /**
     * The socket open as descriptor {@code fd}, with the name its giver gave it.
     *
     * @param fd   a descriptor this process inherited
     * @param name a name for messages (systemd's {@code FileDescriptorName=}), or null
     * @return the socket
     * @throws IOException as {@link #of(int)}
     */
    public static InheritedSocket of(int fd, String name) throws IOException {
        if (fd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + fd);
        }
        return new InheritedSocket(fd, name, Sockets.probe(fd));
    }

    /**
     * Standard input as a socket, the way inetd starts a service: a connected TCP socket
     * (inetd's {@code nowait}, systemd's {@code Accept=yes}) or a bound UDP socket
     * ({@code wait}).
     *
     * @return the socket
     * @throws IOException when standard input is not such a socket (a terminal, a pipe, a
     *                     file): {@code standard input is not a socket}
     */
    public static InheritedSocket standardInput() throws IOException {
        try {
            return of(0, "standard input");
        } catch (IOException e) {
            throw new IOException(e.getMessage().replace("fd 0", "standard input"), e);
        }
    }

    /**
     * The descriptor.
     *
     * @return its number
     */
    public int fd() {
        return fd;
    }

    /**
     * The name it was given.
     *
     * @return the name, or null
     */
    public String name() {
        return name;
    }

    /**
     * Whether it is a TCP socket (SOCK_STREAM), listening or connected.
     *
     * @return true for TCP, false for UDP and Unix sockets
     */
    public boolean isTcp() {
        return probe.stream() && probe.unix() == null;
    }

    /**
     * Whether it is a UDP socket.
     *
     * @return true for UDP, false for TCP and Unix sockets
     */
    public boolean isUdp() {
        return !probe.stream() && probe.unix() == null;
    }

    /**
     * Whether it is a Unix domain socket: a listening stream socket ({@link #isListening()},
     * for {@link UnixServer#adopt}) or a datagram socket (for {@link UnixDatagramEndpoint#adopt}).
     *
     * @return true for a Unix socket
     */
    public boolean isUnix() {
        return probe.unix() != null;
    }

    /**
     * Whether it is a stream socket (TCP or Unix stream), as opposed to a datagram socket.
     *
     * @return true for SOCK_STREAM
     */
    public boolean isStream() {
        return probe.stream();
    }

    /**
     * A Unix socket's address.
     *
     * @return a {@link java.net.UnixDomainSocketAddress} or an {@link AbstractUnixAddress};
     *         null for TCP and UDP
     */
    public java.net.SocketAddress unixAddress() {
        return probe.unix() == null ? null : Unix.address(probe.unix());
    }

    /**
     * Whether it is a listening TCP socket, for {@link TcpServer#adopt}.
     *
     * @return true when it listens
     */
    public boolean isListening() {
        return probe.listening();
    }

    /**
     * Whether it is connected to a peer: a TCP connection, for {@link Tcp#adopt}.
     *
     * @return true when it has a peer address
     */
    public boolean isConnected() {
        return probe.remote() != null;
    }

    /**
     * The address it is bound to.
     *
     * @return the local address; null for a Unix socket (see {@link #unixAddress()})
     */
    public InetSocketAddress localAddress() {
        return probe.local();
    }

    /**
     * The peer of a connected socket.
     *
     * @return the peer's address, or null when it has none
     */
    public InetSocketAddress remoteAddress() {
        return probe.remote();
    }

    /**
     * Closes the descriptor, unless a server took it. Idempotent.
     */
    public synchronized void close() {
        if (!taken) {
            taken = true;
            Unistd.close(fd);
        }
    }

    /**
     * What it is, for messages.
     *
     * @return for example {@code fd 3 (tcp, listening on 0.0.0.0:13)} or
     *         {@code standard input (udp on 0.0.0.0:123)}
     */
    @Override
    public String toString() {
        String what = isUnix() ? (isStream() ? "unix, listening on " : "unix datagram on ") + probe.unix()
                : isTcp() ? isListening() ? "tcp, listening on " + Addresses.format(localAddress())
                : "tcp " + Addresses.format(localAddress())
                        + (isConnected() ? " from " + Addresses.format(remoteAddress()) : ", not connected")
                : "udp on " + Addresses.format(localAddress());
        String who = name == null ? "fd " + fd : fd == 0 && name.equals("standard input") ? name
                : "fd " + fd + " '" + name + "'";
        return who + " (" + what + ")";
    }

    /**
     * Hands the descriptor to a server: once only, made non-blocking and close-on-exec.
     *
     * @param use      what it is to be, for the message: {@code a listening TCP socket}
     * @param fits     whether it is that
     * @throws IOException when it is not that
     * @throws IllegalStateException when it was served or closed already
     */
    synchronized NativeSocket take(String use, boolean fits) throws IOException {
        if (taken) {
            throw new IllegalStateException(this + " is served or closed already");
        }
        if (!fits) {
            throw new IOException(this + " is not " + use);
        }
        NativeSocket s = Sockets.takeOver(fd);
        taken = true;
        return s;
    }

    NativeSocket takeListener() throws IOException {
        return take("a listening TCP socket", isTcp() && isListening());
    }

    NativeSocket takeDatagram() throws IOException {
        return take("a UDP socket", isUdp());
    }

    NativeSocket takeUnixListener() throws IOException {
        return take("a listening Unix stream socket", isUnix() && isListening());
    }

    NativeSocket takeUnixDatagram() throws IOException {
        return take("a Unix datagram socket", isUnix() && !isStream());
    }

    NativeSocket takeConnection() throws IOException {
        return take("a connected TCP socket", isTcp() && isConnected());
    }
}
