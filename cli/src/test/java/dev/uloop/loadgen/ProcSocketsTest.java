package dev.uloop.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** {@link ProcSockets}: whether a process holds the socket a port's load goes to. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProcSocketsTest {
    /** Above the largest pid Linux hands out (PID_MAX_LIMIT, 2^22): never a process. */
    static final long NO_SUCH_PID = (1L << 22) + 1;

    private static final long SELF = ProcessHandle.current().pid();

    private static ServerSocket listening() throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return s;
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aProcessListeningOnThePortServesIt() throws IOException {
        try (ServerSocket s = listening()) {
            assertEquals(Optional.empty(), ProcSockets.notServing(SELF, s.getLocalPort(), false));
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aProcessWithAUdpSocketOnThePortServesIt() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            assertEquals(Optional.empty(), ProcSockets.notServing(SELF, s.getLocalPort(), true));
            // ... but a UDP socket is not a TCP server.
            Optional<String> tcp = ProcSockets.notServing(SELF, s.getLocalPort(), false);
            assertEquals(Optional.of("process " + SELF + " has no TCP socket listening on port " + s.getLocalPort()
                    + ", so its CPU time is not the server's"), tcp);
        }
    }

    /** Another process (cat, waiting on its stdin) does not hold this JVM's listening socket. */
    @Test
    @EnabledOnOs(OS.LINUX)
    void anotherProcessDoesNotServeThePort() throws Exception {
        Process other = new ProcessBuilder("cat").start();
        try (ServerSocket s = listening()) {
            Optional<String> why = ProcSockets.notServing(other.pid(), s.getLocalPort(), false);
            assertEquals(Optional.of("process " + other.pid() + " has no TCP socket listening on port "
                    + s.getLocalPort() + ", so its CPU time is not the server's"), why);
            Optional<String> udp = ProcSockets.notServing(other.pid(), s.getLocalPort(), true);
            assertTrue(udp.orElseThrow().contains("has no UDP socket bound to port " + s.getLocalPort()), udp::get);
        } finally {
            other.destroy();
            other.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aProcessThatIsNotThereIsSaidSo() {
        assertEquals(Optional.of("no process " + NO_SUCH_PID + " is running, so there is no server CPU time to report"),
                ProcSockets.notServing(NO_SUCH_PID, 7007, false));
    }

    /** Without /proc (not Linux) nothing can be told, so nothing is said. */
    @Test
    void withoutProcNothingIsSaid(@TempDir Path empty) {
        assertEquals(Optional.empty(), ProcSockets.notServing(empty, SELF, 7007, false));
    }

    /** The /proc/net table format: listening TCP sockets on the port, over IPv4 and IPv6. */
    @Test
    void readsTheNetTables(@TempDir Path dir) throws IOException {
        Path tcp = dir.resolve("tcp");
        Files.writeString(tcp, String.join("\n",
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   0: 0100007F:1B5F 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4711 1 0",
                "   1: 0100007F:1B5F 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 4712 1 0",
                "   2: 0100007F:1B60 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4713 1 0",
                ""));
        assertEquals(Set.of("4711"), ProcSockets.inodesOnPort(tcp, 7007, false), "LISTEN only, port 7007 only");
        assertEquals(Set.of("4711", "4712"), ProcSockets.inodesOnPort(tcp, 7007, true), "any state for UDP");
        Path tcp6 = dir.resolve("tcp6");
        Files.writeString(tcp6, String.join("\n",
                "  sl  local_address                         remote_address                        st tx_queue rx_queue"
                        + " tr tm->when retrnsmt   uid  timeout inode",
                "   0: 00000000000000000000000000000000:1B5F 00000000000000000000000000000000:0000 0A 00000000:00000000"
                        + " 00:00000000 00000000  1000        0 815 1 0",
                ""));
        assertEquals(Set.of("815"), ProcSockets.inodesOnPort(tcp6, 7007, false));
        assertEquals(Set.of(), ProcSockets.inodesOnPort(dir.resolve("udp6"), 7007, true), "a missing table");
    }
}
