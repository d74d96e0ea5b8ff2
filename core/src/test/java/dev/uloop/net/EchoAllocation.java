package dev.uloop.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.DirectCalls;
import dev.uloop.LoopThread;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * Counts what a loop thread allocates while it echoes small messages, one at a time, over
 * TCP and over UDP. After a warm-up, the bytes the loop thread allocated are read at the
 * first and the last message of one window of {@link #WINDOW} messages (in the protocol's
 * callback, so that exactly that many loop iterations lie between the two readings); the
 * whole window, not each message, may allocate at most {@link #LIMIT} bytes. One 16-byte
 * object per message would be 160 KiB. The allowance is for the JVM, not the loop: when a
 * compiled method meets a branch it never took before, the deoptimization allocates about
 * a kilobyte on the thread, once.
 *
 * <p>The echo path has to be free of allocation by construction: the same check passes
 * in a JVM without escape analysis ({@code -XX:-DoEscapeAnalysis}, the build's
 * {@code no-escape-analysis} test run), where no temporary object is removed by the JIT.
 */
final class EchoAllocation {
    private EchoAllocation() {}

    /** Messages before the window: the interpreter and the compilers have run by then. */
    static final int WARMUP = 20_000;
    /** Messages in the window. */
    static final int WINDOW = 10_000;
    /** Bytes the loop thread may allocate in the whole window. */
    static final long LIMIT = 4 * 1024;
    /** The size of each message. */
    static final int SIZE = 64;

    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /** The loop thread's allocated bytes at the window's first and last message. */
    private static final class Marks {
        private final long[] at = new long[2];
        private int count;

        /** Called on the loop thread for every message received. */
        void message() {
            int n = ++count;
            if (n == WARMUP) {
                at[0] = MX.getCurrentThreadAllocatedBytes();
            } else if (n == WARMUP + WINDOW) {
                at[1] = MX.getCurrentThreadAllocatedBytes();
            }
        }

        void check(LoopThread lt, String what) {
            long[] m = lt.call(() -> new long[] {count, at[0], at[1]});
            assertEquals(WARMUP + WINDOW, m[0], "messages the loop received");
            long allocated = m[2] - m[1];
            assertTrue(allocated < LIMIT, allocated + " bytes allocated on the loop thread over " + WINDOW
                    + " echoed " + what + " messages of " + SIZE + " bytes (" + (double) allocated / WINDOW
                    + " per message); marks " + Arrays.toString(m));
        }
    }

    /** Echoes TCP messages of {@link #SIZE} bytes one at a time and checks the loop thread's allocation. */
    static void tcp(LoopThread lt, InetAddress host) throws Exception {
        DirectCalls.assume();
        Marks marks = new Marks();
        TcpServer server = lt.call(() -> TcpServer.listen(lt.loop(), new InetSocketAddress(host, 0), () ->
                new Echo() {
                    @Override
                    public void dataReceived(ByteBuffer data) {
                        super.dataReceived(data);
                        marks.message();
                    }
                }));
        try (Socket s = new Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
            s.setSoTimeout(20_000);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] msg = message();
            byte[] back = new byte[SIZE];
            for (int i = 0; i < WARMUP + WINDOW; i++) {
                out.write(msg);
                for (int got = 0; got < SIZE; ) {
                    int r = in.read(back, got, SIZE - got);
                    assertTrue(r > 0, "echo ended early");
                    got += r;
                }
            }
            assertTrue(Arrays.equals(msg, back), "echoed bytes differ");
        } finally {
            lt.run(server::close);
        }
        marks.check(lt, "TCP");
    }

    /** Echoes UDP datagrams of {@link #SIZE} bytes one at a time and checks the loop thread's allocation. */
    static void udp(LoopThread lt, InetAddress host) throws Exception {
        DirectCalls.assume();
        Marks marks = new Marks();
        UdpEndpoint[] self = new UdpEndpoint[1];
        self[0] = lt.call(() -> UdpEndpoint.bind(lt.loop(), new InetSocketAddress(host, 0), (data, from) -> {
            self[0].send(data, from);
            marks.message();
        }));
        try (DatagramSocket c = new DatagramSocket(new InetSocketAddress(host, 0))) {
            c.setSoTimeout(20_000);
            byte[] msg = message();
            DatagramPacket out = new DatagramPacket(msg, SIZE, self[0].localAddress());
            DatagramPacket in = new DatagramPacket(new byte[SIZE * 2], SIZE * 2);
            for (int i = 0; i < WARMUP + WINDOW; i++) {
                c.send(out);
                in.setLength(SIZE * 2);
                c.receive(in);       // loopback loses nothing at one datagram in flight
                assertEquals(SIZE, in.getLength());
            }
            assertTrue(Arrays.equals(msg, Arrays.copyOf(in.getData(), SIZE)), "echoed bytes differ");
        } finally {
            lt.run(self[0]::close);
        }
        marks.check(lt, "UDP");
    }

    private static byte[] message() {
        byte[] b = new byte[SIZE];
        new Random(64).nextBytes(b);
        return b;
    }
}
