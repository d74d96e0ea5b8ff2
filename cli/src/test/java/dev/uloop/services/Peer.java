package dev.uloop.services;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Random;

/** Plain JDK blocking clients for the service tests, loopback only, with timeouts. */
final class Peer {
    private Peer() {}

    static final int TIMEOUT_MS = 5000;

    /** Connects, reads to EOF (daytime, time). */
    static byte[] tcpRead(InetSocketAddress at) throws IOException {
        try (Socket s = connect(at)) {
            return readAll(s.getInputStream());
        }
    }

    static Socket connect(InetSocketAddress at) throws IOException {
        Socket s = new Socket();
        s.connect(at, TIMEOUT_MS);
        s.setSoTimeout(TIMEOUT_MS);
        return s;
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    /** A UDP socket on an ephemeral loopback port. */
    static DatagramSocket udp() throws IOException {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        s.setSoTimeout(TIMEOUT_MS);
        return s;
    }

    /** Sends one datagram (unconnected, so that an empty one is really sent) and waits for one back. */
    static byte[] udpAsk(InetSocketAddress at, byte[] request) throws IOException {
        try (DatagramSocket s = udp()) {
            send(s, at, request);
            return receive(s, TIMEOUT_MS);
        }
    }

    static void send(DatagramSocket s, InetSocketAddress at, byte[] data) throws IOException {
        s.send(new DatagramPacket(data, data.length, at));
    }

    /** One datagram, or null when none comes within {@code millis}. */
    static byte[] receive(DatagramSocket s, int millis) throws IOException {
        byte[] buf = new byte[65536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.setSoTimeout(millis);
        try {
            s.receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(buf, p.getLength());
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
