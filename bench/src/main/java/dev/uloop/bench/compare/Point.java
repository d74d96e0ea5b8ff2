package dev.uloop.bench.compare;

import java.util.List;
import java.util.Locale;

/**
 * One load point of the comparison: a transport, the active connections (or UDP clients)
 * and the idle TCP connections held open beside them.
 *
 * @param id          short name for {@code --points}, e.g. {@code tcp-64}, {@code tcp-10+idle1000}, {@code udp-64}
 * @param kind        which chart it belongs to
 * @param udp         UDP datagrams instead of TCP
 * @param connections active connections (UDP: clients, each with a socket of its own)
 * @param idle        silent TCP connections opened first
 */
public record Point(String id, Kind kind, boolean udp, int connections, int idle) {

    /** The series a point belongs to. */
    public enum Kind {
        /** TCP, more and more active connections, none idle. */
        ACTIVE,
        /** TCP, 10 active connections and more and more idle ones. */
        IDLE,
        /** UDP clients. */
        UDP
    }

    /** TCP with {@code n} active connections. */
    public static Point tcp(int n) {
        return new Point("tcp-" + n, Kind.ACTIVE, false, n, 0);
    }

    /** TCP with {@code active} active and {@code idle} idle connections. */
    public static Point idle(int active, int idle) {
        return new Point("tcp-" + active + "+idle" + idle, Kind.IDLE, false, active, idle);
    }

    /** UDP with {@code n} clients. */
    public static Point udp(int n) {
        return new Point("udp-" + n, Kind.UDP, true, n, 0);
    }

    /** Every point of a full run, in the order they run. */
    public static final List<Point> ALL = List.of(
            tcp(1), tcp(64), tcp(1000), tcp(10_000),
            idle(10, 0), idle(10, 1000), idle(10, 5000),
            udp(1), udp(64));

    /** The points of {@code --quick}. */
    public static final List<Point> QUICK = List.of(tcp(64), idle(10, 1000), udp(64));

    /** For tables: {@code tcp 64}, {@code tcp 10 +1000 idle}, {@code udp 64}. */
    public String label() {
        return switch (kind) {
            case ACTIVE -> String.format(Locale.ROOT, "tcp %d", connections);
            case IDLE -> String.format(Locale.ROOT, "tcp %d +%d idle", connections, idle);
            case UDP -> String.format(Locale.ROOT, "udp %d", connections);
        };
    }

    /** Descriptors the server needs for this point's connections (TCP), 0 for UDP. */
    public int tcpConnections() {
        return udp ? 0 : connections + idle;
    }
}
