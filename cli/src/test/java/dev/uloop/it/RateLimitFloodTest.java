package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attack that switched the UDP rate limit off: while one heavy source sends 100
 * requests a second, a flood of one-packet sources from ever new networks (here: 127.x.y.1,
 * one /24 each, all on the loopback) fills the limiter's table. The heavy source must stay
 * within its limit: the table forgets the networks seen least recently, never everyone.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RateLimitFloodTest {
    private static final int RATE = 5;
    private static final int SECONDS = 3;
    private static final int FLOOD_NETWORKS = 6000;     // more than the 4096 networks the limiter keeps

    @ParameterizedTest
    @ValueSource(strings = {"echo", "sntp"})
    void aHeavySourceStaysLimitedDuringAManySourceFlood(String service) throws Exception {
        try (UloopServer s = UloopServer.start(service, UloopServer.Mode.EPOLL, "--udp", "--rate-limit",
                Integer.toString(RATE));
             DatagramSocket heavy = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress server = s.udp();
            byte[] request = service.equals("sntp") ? sntpRequest() : new byte[] {'h', 'i'};
            heavy.setSoTimeout(1);
            List<DatagramSocket> flood = new ArrayList<>();
            int answers = 0;
            int floodSent = 0;
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
                while (System.nanoTime() < end) {
                    heavy.send(new DatagramPacket(request, request.length, server));
                    // 20 new networks per heavy request: 2,000 a second, 6,000 over the run.
                    for (int i = 0; i < 20 && floodSent < FLOOD_NETWORKS; i++, floodSent++) {
                        InetAddress from = InetAddress.getByAddress(new byte[] {
                            127, (byte) (1 + (floodSent >> 8)), (byte) floodSent, 1});
                        DatagramSocket d = new DatagramSocket(new InetSocketAddress(from, 0));
                        flood.add(d);
                        d.send(new DatagramPacket(request, request.length, server));
                        if (flood.size() >= 500) {
                            for (DatagramSocket old : flood) {
                                old.close();
                            }
                            flood.clear();
                        }
                    }
                    answers += drain(heavy);
                    Thread.sleep(10);          // pacing: 100 requests a second
                }
                long drainEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                while (System.nanoTime() < drainEnd) {
                    answers += drain(heavy);
                }
            } finally {
                for (DatagramSocket d : flood) {
                    d.close();
                }
            }
            s.assertAlive();
            int most = RATE + RATE * SECONDS + RATE;      // a burst, the rate, a second of slack
            assertTrue(answers <= most, service + ": the heavy source got " + answers + " answers during a flood"
                    + " of " + floodSent + " networks; its limit allows about " + (RATE + RATE * SECONDS));
            assertTrue(answers >= RATE, service + ": the heavy source got only " + answers + " answers");
        }
    }

    /** Receives what is waiting, without blocking for long. */
    private static int drain(DatagramSocket s) throws Exception {
        int n = 0;
        byte[] buf = new byte[512];
        while (true) {
            try {
                s.receive(new DatagramPacket(buf, buf.length));
                n++;
            } catch (SocketTimeoutException e) {
                return n;
            }
        }
    }

    /** A minimal SNTP client request: version 4, mode 3, a transmit timestamp. */
    private static byte[] sntpRequest() {
        byte[] b = new byte[48];
        b[0] = (byte) (4 << 3 | 3);
        b[40] = 1;
        return b;
    }
}
