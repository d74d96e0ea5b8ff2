package dev.uloop.sntp;

import dev.uloop.WallClock;
import dev.uloop.net.Addresses;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/**
 * One SNTP exchange (RFC 4330, section 5) with blocking JDK sockets: sends a mode-3
 * request stamped with the local clock, waits for the reply that echoes that stamp, and
 * works out the offset and round-trip delay from the four timestamps:
 *
 * <pre>
 * t1 request sent (client clock)      t2 request received (server clock)
 * t4 reply received (client clock)    t3 reply sent (server clock)
 * offset = ((t2 - t1) + (t3 - t4)) / 2      delay = (t4 - t1) - (t3 - t2)
 * </pre>
 * The differences are taken on the 64-bit timestamps modulo 2^64 ({@link NtpTime#difference}),
 * so the results stay right when client and server straddle the 2036 era boundary.
 */
public final class SntpClient implements AutoCloseable {
    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final int version;
    private final byte[] in = new byte[NtpPacket.MAX_REQUEST];

    /**
     * Opens a socket for talking to one server.
     *
     * @param server        where to ask
     * @param version       the NTP version to ask with, 1 to 4
     * @param timeoutMillis how long to wait for each reply
     * @throws IOException if the socket cannot be opened
     */
    public SntpClient(InetSocketAddress server, int version, int timeoutMillis) throws IOException {
        if (version < 1 || version > NtpPacket.VERSION) {
            throw new IllegalArgumentException("NTP version " + version + "; choose 1 to 4");
        }
        this.server = server;
        this.version = version;
        this.socket = new DatagramSocket();
        socket.setSoTimeout(timeoutMillis);
        socket.connect(server);     // only the server's datagrams, and ICMP errors reported
    }

    /** What the server said, and what the four timestamps give. */
    public record Sample(InetSocketAddress server, int leap, int version, int stratum, int poll, int precision,
                         long rootDelayNanos, long rootDispersionNanos, int refId, long serverTimeNanos,
                         long offsetNanos, long delayNanos, long serverProcessingNanos) {
        /**
         * The reference ID as text.
         *
         * @return for example {@code 127.127.1.1} or {@code GPS}
         */
        public String refIdText() {
            return NtpPacket.refIdText(refId, stratum);
        }
    }

    /** The server answered with a kiss-o'-death: stop asking. */
    public static final class KissOfDeathException extends IOException {
        private final String code;

        KissOfDeathException(InetSocketAddress server, String code) {
            super("kiss-o'-death " + code + " from " + where(server)
                    + ("RATE".equals(code) ? ": asking too often" : ""));
            this.code = code;
        }

        /**
         * The kiss code.
         *
         * @return for example {@code RATE}, {@code DENY}
         */
        public String code() {
            return code;
        }
    }

    /**
     * Asks once.
     *
     * @return the sample
     * @throws KissOfDeathException   when the server says to stop
     * @throws SocketTimeoutException when no valid reply came in time
     * @throws IOException            for an unusable reply or a network error
     */
    public Sample query() throws IOException {
        ByteBuffer request = ByteBuffer.allocate(NtpPacket.HEADER);
        request.put(0, NtpPacket.firstByte(0, version, NtpPacket.MODE_CLIENT));
        long t1Nanos = WallClock.nanos();
        long t1 = NtpTime.fromUnixNanos(t1Nanos);
        request.putLong(NtpPacket.TRANSMIT_TIME, t1);
        try {
            socket.send(new DatagramPacket(request.array(), NtpPacket.HEADER));
            while (true) {
                DatagramPacket p = new DatagramPacket(in, in.length);
                socket.receive(p);
                long t4Nanos = WallClock.nanos();
                ByteBuffer reply = ByteBuffer.wrap(in, 0, p.getLength());
                if (reply.remaining() < NtpPacket.HEADER || NtpPacket.mode(reply) != NtpPacket.MODE_SERVER
                        || NtpPacket.getTimestamp(reply, NtpPacket.ORIGIN_TIME) != t1) {
                    continue;       // not an answer to this request (stale or forged): keep waiting
                }
                return sample(server, reply, t1, t4Nanos);
            }
        } catch (PortUnreachableException e) {
            throw new IOException("nothing listens on UDP " + where() + " (port unreachable)", e);
        } catch (SocketTimeoutException e) {
            SocketTimeoutException t = new SocketTimeoutException("no reply from " + where() + " within "
                    + socket.getSoTimeout() + " ms");
            t.initCause(e);
            throw t;
        }
    }

    /**
     * Reads a reply to a request sent at {@code t1}.
     *
     * @param server  who sent it
     * @param r       the reply
     * @param t1      the request's transmit timestamp
     * @param t4Nanos when the reply arrived, by the local clock
     * @return the sample
     * @throws IOException for a kiss-o'-death or an unusable reply
     */
    static Sample sample(InetSocketAddress server, ByteBuffer r, long t1, long t4Nanos) throws IOException {
        long t4 = NtpTime.fromUnixNanos(t4Nanos);
        int stratum = NtpPacket.getByte(r, NtpPacket.STRATUM) & 0xFF;
        int refId = NtpPacket.getInt(r, NtpPacket.REFERENCE_ID);
        if (stratum == 0) {
            throw new KissOfDeathException(server, NtpPacket.refIdText(refId, 0));
        }
        int leap = NtpPacket.leap(r);
        if (leap == NtpPacket.LEAP_UNSYNCHRONISED) {
            throw new IOException(where(server) + " says its clock is not synchronised (leap indicator 3)");
        }
        long t2 = NtpPacket.getTimestamp(r, NtpPacket.RECEIVE_TIME);
        long t3 = NtpPacket.getTimestamp(r, NtpPacket.TRANSMIT_TIME);
        if (t3 == 0) {
            throw new IOException(where(server) + " sent a reply without a transmit timestamp");
        }
        long offset = (NtpTime.difference(t2, t1) + NtpTime.difference(t3, t4)) / 2;
        long delay = NtpTime.difference(t4, t1) - NtpTime.difference(t3, t2);
        return new Sample(server, leap, NtpPacket.version(r), stratum, NtpPacket.getByte(r, NtpPacket.POLL),
                NtpPacket.getByte(r, NtpPacket.PRECISION),
                NtpTime.fromShort(NtpPacket.getInt(r, NtpPacket.ROOT_DELAY)),
                NtpTime.fromShort(NtpPacket.getInt(r, NtpPacket.ROOT_DISPERSION)), refId,
                NtpTime.toUnixNanos(t3, t4Nanos), NtpTime.toNanos(offset), NtpTime.toNanos(delay),
                NtpTime.toNanos(NtpTime.difference(t3, t2)));
    }

    private String where() {
        return where(server);
    }

    private static String where(InetSocketAddress server) {
        return Addresses.host(server.getAddress()) + " port " + server.getPort();
    }

    @Override
    public void close() {
        socket.close();
    }
}
