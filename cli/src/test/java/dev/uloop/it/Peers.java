package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;

/** The real clients the tests drive the servers with, as one-liners. */
final class Peers {
    private Peers() {}

    static String socat() {
        return Exec.peer("socat", "socat");
    }

    private static Boolean openBsdNc;

    /** OpenBSD's nc (for {@code -N} and {@code -d}); another netcat skips the test too. */
    static synchronized String nc() {
        String nc = Exec.peer("nc", "netcat-openbsd");
        if (openBsdNc == null) {
            Exec.Result r = Exec.run(Duration.ofSeconds(10), null, nc, "-h");
            openBsdNc = (r.text() + r.err()).contains("OpenBSD");
        }
        assumeTrue(openBsdNc, "nc is not OpenBSD netcat (Debian package netcat-openbsd); skipping");
        return nc;
    }

    static String rdate() {
        return Exec.peer("rdate", "rdate");
    }

    static String sockperf() {
        return Exec.peer("sockperf", "sockperf");
    }

    /** {@code 127.0.0.1} or {@code [::1]}, as socat wants a host. */
    static String host(InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return a.getAddress() instanceof Inet6Address ? "[" + h + "]" : h;
    }

    /** socat's address: {@code TCP:127.0.0.1:7} or {@code TCP6:[::1]:7} (same for UDP). */
    static String socatAddress(String proto, InetSocketAddress a) {
        String p = a.getAddress() instanceof Inet6Address ? proto + "6" : proto;
        return p + ":" + host(a) + ":" + a.getPort();
    }

    /**
     * {@code socat -t 2 - TCP:host:port}: sends {@code data}, half-closes at the end of stdin
     * and prints what the server sends until it closes (or 2 s after the half-close).
     */
    static Exec.Result socatTcp(InetSocketAddress a, byte[] data, Duration timeout) {
        return Exec.run(timeout, data, socat(), "-t", "2", "-", socatAddress("TCP", a));
    }

    /**
     * {@code socat -T 5 -t 0.2 - UDP:host:port}: sends {@code datagram} as one datagram, waits for
     * {@code expect} bytes back (at most {@code wait}), then ends its stdin; socat exits 0.2 s
     * later ({@code -t 0.2}), so anything extra the server sends then is in the result too.
     */
    static Exec.Result socatUdp(InetSocketAddress a, byte[] datagram, int expect, Duration wait) throws InterruptedException {
        try (Exec.Running r = Exec.start(socat(), "-T", "5", "-t", "0.2", "-", socatAddress("UDP", a))) {
            r.write(datagram);
            r.awaitStdout(expect, wait);
            r.closeStdin();
            return r.finish(Duration.ofSeconds(10));
        }
    }

    /** Asserts that a command exited 0 in time. */
    static Exec.Result ok(Exec.Result r) {
        assertFalse(r.timedOut(), r::describe);
        assertTrue(r.exit() == 0, r::describe);
        return r;
    }

    /** Asserts {@code t} is within {@code seconds} of the local clock now. */
    static void assertNearNow(LocalDateTime t, long seconds, String what) {
        LocalDateTime now = LocalDateTime.now();
        long diff = Math.abs(ChronoUnit.MILLIS.between(t, now));
        assertTrue(diff <= seconds * 1000, () -> what + ": " + t + " is " + diff + " ms away from now (" + now + ")");
    }
}
