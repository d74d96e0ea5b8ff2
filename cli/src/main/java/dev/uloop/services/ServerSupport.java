package dev.uloop.services;

import dev.uloop.net.Addresses;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Locale;

/** What both kinds of {@link Server} share: resolving the address, bind errors, the counters line. */
final class ServerSupport {
    private ServerSupport() {}

    static final System.Logger LOG = System.getLogger("uloop.services");

    /** The address to bind, resolved. */
    static InetSocketAddress resolve(ServiceConfig config) throws IOException {
        return resolve(config.host(), config.port());
    }

    /** An address to bind, resolved. */
    static InetSocketAddress resolve(String host, int port) throws IOException {
        InetSocketAddress at = new InetSocketAddress(host, port);
        if (at.isUnresolved()) {
            throw new IOException("cannot resolve host '" + host + "'");
        }
        return at;
    }

    /** The address to bind UDP to when TCP is bound already: TCP's port when port 0 was asked for. */
    static InetSocketAddress udpAfterTcp(InetSocketAddress at, InetSocketAddress tcp) {
        return at.getPort() == 0 && tcp != null ? new InetSocketAddress(at.getAddress(), tcp.getPort()) : at;
    }

    /** A JDK bind failure, said as the core says it ({@code 127.0.0.1:7007 is already in use}). */
    static BindException bindError(BindException e, InetSocketAddress at) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        String where = Addresses.format(at);
        String text;
        if (m.contains("in use")) {
            text = where + " is already in use";
        } else if (m.contains("permission") || m.contains("not permitted")) {
            text = "binding " + where + " needs root or CAP_NET_BIND_SERVICE (ports below 1024 are privileged);"
                    + " choose another port with --port";
        } else if (m.contains("assign")) {
            text = at.getAddress().getHostAddress() + " is not an address of this host";
        } else {
            text = "cannot bind " + where + ": " + e.getMessage();
        }
        BindException b = new BindException(text);
        b.initCause(e);
        return b;
    }

    /** The counters line of {@link Server#summary()}. */
    static String summary(ServiceConfig config, long connections, long answered, long sendDrops,
                          DatagramAnswerer answerer) {
        return summary(config, connections, null, answered, null, sendDrops, answerer);
    }

    /**
     * The counters line of {@link Server#summary()}, with what each event loop did when there
     * is more than one: {@code tcp: 64 connections (per event loop: 30, 34)}.
     *
     * @param connectionsPerLoop connections by loop, or null
     * @param answeredPerLoop    datagrams answered by loop, or null
     */
    static String summary(ServiceConfig config, long connections, long[] connectionsPerLoop, long answered,
                          long[] answeredPerLoop, long sendDrops, DatagramAnswerer answerer) {
        return summary(config, connections, connectionsPerLoop, "", answered, answeredPerLoop, sendDrops, answerer);
    }

    /**
     * The counters line, with what the TCP limits did after the connections
     * ({@link TcpLimits#summary}).
     */
    static String summary(ServiceConfig config, long connections, long[] connectionsPerLoop, String tcpLimits,
                          long answered, long[] answeredPerLoop, long sendDrops, DatagramAnswerer answerer) {
        StringBuilder sb = new StringBuilder();
        if (config.tcp()) {
            sb.append("tcp: ").append(connections).append(connections == 1 ? " connection" : " connections");
            perLoop(sb, connectionsPerLoop);
            sb.append(tcpLimits);
        }
        if (config.udp() && answerer != null) {
            if (!sb.isEmpty()) {
                sb.append("; ");
            }
            sb.append("udp: ").append(answered).append(" answered");
            perLoop(sb, answeredPerLoop);
            sb.append(", ").append(answerer.drops());
            if (sendDrops > 0) {
                sb.append(", ").append(sendDrops).append(" replies not sent (send buffer full)");
            }
        }
        return sb.toString();
    }

    private static void perLoop(StringBuilder sb, long[] counts) {
        if (counts != null && counts.length > 1) {
            sb.append(" (per event loop: ");
            for (int i = 0; i < counts.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(counts[i]);
            }
            sb.append(')');
        }
    }

    /** Sleeps; false when interrupted (the flag is kept). */
    static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Closes, ignoring failures and null. */
    static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // nothing to do
            }
        }
    }
}
