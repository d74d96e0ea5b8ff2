package dev.uloop.daemon;

import dev.uloop.internal.net.Sockets;
import dev.uloop.net.InheritedSocket;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * systemd's socket activation, as {@code sd_listen_fds} reads it: systemd (or
 * {@code systemd-socket-activate}) binds the sockets of a {@code .socket} unit, privileged
 * ports included, and starts the service with them open as descriptors 3, 4, ... and
 * {@code LISTEN_FDS} (how many), {@code LISTEN_PID} (the process they are for) and
 * {@code LISTEN_FDNAMES} (their names, colon-separated) in its environment.
 *
 * {@snippet class="dev.uloop.snippets.DaemonSnippets" region="activation"}
 *
 * <p>The sockets are marked close-on-exec at once, as {@code sd_listen_fds} does; serving
 * one ({@link dev.uloop.net.TcpServer#adopt}, {@link dev.uloop.net.UdpEndpoint#adopt} and
 * their group versions) makes it non-blocking. The environment is left as it is.
 */
public final class SocketActivation {
    private SocketActivation() {}

    /** The first descriptor systemd passes ({@code SD_LISTEN_FDS_START}). */
    public static final int FIRST_FD = 3;
    /** More than any unit passes; a larger LISTEN_FDS is a mistake. */
    private static final int MAX_FDS = 1024;

    /**
     * The sockets systemd passed to this process.
     *
     * @return the sockets, in descriptor order; empty when the process was not socket
     *         activated ({@code LISTEN_FDS} or {@code LISTEN_PID} unset, or {@code LISTEN_PID}
     *         another process's: the variables were inherited, not meant for it)
     * @throws IOException when the variables are malformed, or a descriptor is not a TCP or
     *                     UDP socket, with a message that names it
     */
    public static List<InheritedSocket> sockets() throws IOException {
        return sockets(System.getenv(), ProcessHandle.current().pid());
    }

    /** {@link #sockets()} with another environment and process id. */
    static List<InheritedSocket> sockets(Map<String, String> env, long pid) throws IOException {
        String fds = env.get("LISTEN_FDS");
        String listenPid = env.get("LISTEN_PID");
        if (fds == null || listenPid == null) {
            return List.of();
        }
        if (number(listenPid, "LISTEN_PID", 1, Long.MAX_VALUE) != pid) {
            return List.of();
        }
        int n = (int) number(fds, "LISTEN_FDS", 0, MAX_FDS);
        if (n == 0) {
            return List.of();
        }
        String namesVar = env.get("LISTEN_FDNAMES");
        String[] names = namesVar == null ? null : namesVar.split(":", -1);
        if (names != null && names.length != n) {
            throw new IOException("LISTEN_FDNAMES=" + namesVar + " names " + names.length + " sockets, LISTEN_FDS="
                    + fds + " passes " + n);
        }
        for (int i = 0; i < n; i++) {
            try {
                Sockets.closeOnExec(FIRST_FD + i);
            } catch (RuntimeException e) {
                throw new IOException("LISTEN_FDS=" + n + ", but fd " + (FIRST_FD + i) + " is not open", e);
            }
        }
        List<InheritedSocket> sockets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            sockets.add(InheritedSocket.of(FIRST_FD + i, names == null ? null : names[i]));
        }
        return List.copyOf(sockets);
    }

    private static long number(String value, String name, long min, long max) throws IOException {
        try {
            long v = Long.parseLong(value.strip());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IOException(name + "=" + value + " is not a number from " + min + " to " + max);
    }
}
