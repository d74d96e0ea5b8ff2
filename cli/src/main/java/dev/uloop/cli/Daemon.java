package dev.uloop.cli;

import dev.uloop.daemon.Privileges;
import dev.uloop.daemon.SystemdNotifier;
import dev.uloop.net.InheritedSocket;
import dev.uloop.services.Server;
import dev.uloop.services.Service;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@code uloop serve} does as a daemon, around its server: the sockets systemd passed
 * (socket activation), systemd's readiness notification, and giving up root once every
 * port is bound. The notify socket is connected when this is made, before the drop: it may
 * be writable by root only.
 */
final class Daemon implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("uloop.serve");

    private final SystemdNotifier notifier;        // null without NOTIFY_SOCKET
    private final Privileges.Identity identity;    // null without --user

    private Daemon(SystemdNotifier notifier, Privileges.Identity identity) {
        this.notifier = notifier;
        this.identity = identity;
    }

    /**
     * Connects to systemd's notify socket when {@code NOTIFY_SOCKET} is set.
     *
     * @param identity the user to become once the ports are bound, or null
     * @throws IOException when NOTIFY_SOCKET names no socket this process can reach
     */
    static Daemon open(Privileges.Identity identity) throws IOException {
        return new Daemon(SystemdNotifier.fromEnvironment().orElse(null), identity);
    }

    /** Only the privilege drop: for --inetd, whose service is not one systemd waits for. */
    static Daemon withoutNotifications(Privileges.Identity identity) {
        return new Daemon(null, identity);
    }

    /**
     * Checks the sockets systemd passed against the service: at most one listening TCP
     * socket (none for a UDP-only service), one UDP socket, one listening Unix stream socket
     * and one Unix datagram socket (none for a UDP-only service).
     *
     * @throws IOException saying what does not fit and what the unit should say instead
     */
    static void check(Service service, List<InheritedSocket> sockets) throws IOException {
        List<InheritedSocket> tcp = sockets.stream().filter(InheritedSocket::isTcp).toList();
        List<InheritedSocket> udp = sockets.stream().filter(InheritedSocket::isUdp).toList();
        List<InheritedSocket> unix = sockets.stream().filter(InheritedSocket::isUnix).toList();
        for (InheritedSocket s : tcp) {
            if (!s.isListening()) {
                throw new IOException("systemd passed " + s + ", a connection: with Accept=yes, run"
                        + " uloop serve " + service.id() + " --inetd");
            }
        }
        if (service.udpOnly() && !tcp.isEmpty()) {
            throw new IOException(service.id() + " is served over UDP only, but systemd passed " + list(tcp)
                    + ": use ListenDatagram= only");
        }
        if (service.udpOnly() && !unix.isEmpty()) {
            throw new IOException(service.id() + " is served over UDP only, but systemd passed " + list(unix)
                    + ": use ListenDatagram= with an address and port only");
        }
        long unixStreams = unix.stream().filter(InheritedSocket::isStream).count();
        if (tcp.size() > 1 || udp.size() > 1 || unixStreams > 1 || unix.size() - unixStreams > 1) {
            throw new IOException("systemd passed " + list(sockets) + "; uloop serve takes one TCP and one UDP"
                    + " socket (one ListenStream= and one ListenDatagram=), and one Unix socket of each kind");
        }
    }

    private static String list(List<InheritedSocket> sockets) {
        return sockets.stream().map(InheritedSocket::toString).collect(Collectors.joining(", "));
    }

    /**
     * Gives up root for good, between binding and serving ({@link Server#start(Runnable)}):
     * a daemon told to drop never serves a client as root, and if the drop fails, the server
     * closes its ports and the command fails.
     */
    void dropPrivileges() {
        if (identity != null) {
            Privileges.drop(identity);
            LOG.log(Level.INFO, "running as " + identity);
        }
    }

    /** Tells systemd the service is ready, with its ready line as the status. */
    void ready(String readyLine) {
        if (notifier != null) {
            try {
                notifier.ready(readyLine);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot tell systemd the service is ready: " + e.getMessage());
            }
        }
    }

    /** Tells systemd a stop began. */
    void stopping() {
        if (notifier != null) {
            try {
                notifier.stopping("stopping");
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot tell systemd the service is stopping: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        if (notifier != null) {
            notifier.close();
        }
    }
}
