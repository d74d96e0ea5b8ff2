package dev.uloop.daemon;

import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.Socket;
import dev.uloop.internal.posix.Unistd;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * systemd's readiness protocol, as {@code sd_notify} speaks it: a service of
 * {@code Type=notify} tells systemd it is ready ({@code READY=1}), what it is doing
 * ({@code STATUS=...}) and that it is stopping ({@code STOPPING=1}) in datagrams sent to
 * the AF_UNIX socket named by {@code NOTIFY_SOCKET} (a path, or an abstract name written
 * with a leading {@code @}).
 *
 * {@snippet class="dev.uloop.snippets.DaemonSnippets" region="notify"}
 *
 * <p>The socket is opened and connected by {@link #fromEnvironment()}: do that before
 * {@linkplain Privileges#drop giving up root}, since the notify socket may be writable by
 * root only, and a connected socket keeps working afterwards. Sends never block. Safe from
 * any thread.
 */
public final class SystemdNotifier implements AutoCloseable {
    /** {@code sizeof(sun_path)} in {@code struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }}. */
    private static final int SUN_PATH = 108;

    private final String address;
    private int fd;

    private SystemdNotifier(String address, int fd) {
        this.address = address;
        this.fd = fd;
    }

    /**
     * Connects to the socket {@code NOTIFY_SOCKET} names, when it is set.
     *
     * @return the notifier, or empty when {@code NOTIFY_SOCKET} is not set (the process does
     *         not run under systemd as {@code Type=notify})
     * @throws IOException when the variable names no socket this process can reach, with a
     *                     message that names it
     */
    public static Optional<SystemdNotifier> fromEnvironment() throws IOException {
        String address = System.getenv("NOTIFY_SOCKET");
        return address == null || address.isEmpty() ? Optional.empty() : Optional.of(connect(address));
    }

    /**
     * Connects to a notify socket.
     *
     * @param address a path ({@code /run/systemd/notify}) or an abstract name ({@code @name})
     * @return the notifier
     * @throws IOException when the address is malformed or nothing listens there
     */
    public static SystemdNotifier connect(String address) throws IOException {
        boolean path = address.startsWith("/");
        if (!path && !address.startsWith("@")) {
            throw new IOException("NOTIFY_SOCKET=" + address + ": not a socket path (/...) or abstract name (@...)");
        }
        byte[] name = address.getBytes(StandardCharsets.UTF_8);
        if (name.length > (path ? SUN_PATH - 1 : SUN_PATH)) {
            throw new IOException("NOTIFY_SOCKET=" + address + ": longer than " + SUN_PATH + " bytes");
        }
        int fd = Errors.check(Socket.socket(Socket.AF_UNIX, Socket.SOCK_DGRAM | Socket.SOCK_CLOEXEC, 0),
                "socket(AF_UNIX, SOCK_DGRAM)");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sun = arena.allocate(2 + SUN_PATH);     // zeroed: a path ends with its NUL
            sun.set(ValueLayout.JAVA_SHORT, 0, (short) Socket.AF_UNIX);
            MemorySegment.copy(name, 0, sun, ValueLayout.JAVA_BYTE, 2, name.length);
            if (!path) {
                sun.set(ValueLayout.JAVA_BYTE, 2, (byte) 0);       // abstract: a NUL first, no NUL at the end
            }
            int r = Socket.connect(fd, sun, 2 + name.length + (path ? 1 : 0));
            if (r < 0) {
                throw new IOException("NOTIFY_SOCKET=" + address + ": " + Errors.exception("connect", -r).getMessage());
            }
            return new SystemdNotifier(address, fd);
        } catch (IOException | RuntimeException e) {
            Unistd.close(fd);
            throw e;
        }
    }

    /**
     * Tells systemd the service is ready: {@code READY=1}, with a status line.
     *
     * @param status what it serves, for {@code systemctl status}; null for none
     * @throws IOException when the datagram could not be sent
     */
    public void ready(String status) throws IOException {
        send("READY=1" + statusLine(status));
    }

    /**
     * Tells systemd the service is stopping: {@code STOPPING=1}, with a status line.
     *
     * @param status why, or what it does while it stops; null for none
     * @throws IOException when the datagram could not be sent
     */
    public void stopping(String status) throws IOException {
        send("STOPPING=1" + statusLine(status));
    }

    private static String statusLine(String status) {
        return status == null ? "" : "\nSTATUS=" + status.replace('\n', ' ');
    }

    /**
     * Sends one notification: newline-separated {@code KEY=value} assignments, as
     * {@code sd_notify} takes them.
     *
     * @param state for example {@code "STATUS=serving 12 clients"}
     * @throws IOException when it could not be sent (the socket is gone, or full)
     */
    public synchronized void send(String state) throws IOException {
        if (fd < 0) {
            throw new IOException("the notifier is closed");
        }
        byte[] bytes = state.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment msg = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, msg, ValueLayout.JAVA_BYTE, 0, bytes.length);
            long r = Socket.send(fd, msg, bytes.length, Socket.MSG_NOSIGNAL | Socket.MSG_DONTWAIT);
            if (r < 0) {
                throw new IOException("NOTIFY_SOCKET=" + address + ": "
                        + Errors.exception("send", (int) -r).getMessage());
            }
        }
    }

    /** Closes the socket. Idempotent. */
    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Unistd.close(fd);
            fd = -1;
        }
    }

    @Override
    public String toString() {
        return "SystemdNotifier[" + address + "]";
    }
}
