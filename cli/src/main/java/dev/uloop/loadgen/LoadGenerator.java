package dev.uloop.loadgen;

import dev.uloop.EventLoop;
import dev.uloop.Timer;
import dev.uloop.net.Addresses;
import dev.uloop.net.DatagramProtocol;
import dev.uloop.net.Protocol;
import dev.uloop.net.Tcp;
import dev.uloop.net.TcpConnection;
import dev.uloop.net.Transport;
import dev.uloop.net.UdpEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * An echo load generator on one uloop event loop: opens the connections at a bounded rate
 * (idle ones first), confirms each, warms up, then measures round trips of strict
 * ping-pong (depth 1) or pipelined (depth n) traffic, checking every reply byte.
 */
public final class LoadGenerator {
    private static final long MAX_RTT = Duration.ofSeconds(60).toNanos();
    private static final long UDP_TIMEOUT = Duration.ofMillis(500).toNanos();

    private enum Phase { CONNECTING, WARMUP, MEASURE, DONE }

    private final LoadSpec spec;
    private final Payload payload;
    private final EventLoop loop;
    private final ByteBuffer scratch;
    private final Histogram histogram = new Histogram(MAX_RTT, 3);
    private final List<TcpClient> tcpClients = new ArrayList<>();
    private final List<Transport> idleConnections = new ArrayList<>();
    private final List<CompletableFuture<TcpConnection>> connecting = new ArrayList<>();   // every TCP connect
    private final List<UdpClient> udpClients = new ArrayList<>();
    private Phase phase = Phase.CONNECTING;
    private long messages;        // replies checked while measuring
    private long allReplies;      // replies checked in any phase, for the progress line
    private long errors;          // wrong replies, lost datagrams, lost connections (whole run)
    private long connectFailures;
    private String firstConnectError;
    private int opened;
    private int confirmed;
    private long measureStart;
    private long measureEnd;
    private long cpuStart = -1;
    private long cpuEnd = -1;
    private Consumer<String> progress = s -> { };
    private Runnable atMeasureStart = () -> { };
    private Runnable atMeasureEnd = () -> { };

    /**
     * Prepares a run.
     *
     * @param spec what to run
     */
    public LoadGenerator(LoadSpec spec) {
        this.spec = spec;
        this.payload = new Payload(spec.size(), spec.sockperf());
        this.loop = EventLoop.open(spec.backend());
        this.scratch = ByteBuffer.allocateDirect(spec.size());
    }

    /**
     * Calls {@code atStart} when the measured window opens (after the warm-up) and
     * {@code atEnd} when it closes, on the generator's loop thread, at the instants the
     * window's time and the server's CPU time are read: for whatever else a caller counts
     * over exactly that window (the server's garbage collections, for example). Each must
     * be quick: it runs between round trips.
     *
     * @param atStart called as measuring starts
     * @param atEnd   called as measuring ends
     * @return this generator
     */
    public LoadGenerator onMeasure(Runnable atStart, Runnable atEnd) {
        this.atMeasureStart = Objects.requireNonNull(atStart, "atStart");
        this.atMeasureEnd = Objects.requireNonNull(atEnd, "atEnd");
        return this;
    }

    /**
     * Runs the load and returns what it measured. Blocks the calling thread, which becomes
     * the loop thread.
     *
     * @param label    name of the target in the result
     * @param progress receives a progress line about once a second
     * @return the result
     * @throws IllegalStateException when connections cannot be opened
     */
    public BenchResult run(String label, Consumer<String> progress) {
        this.progress = progress;
        try (loop) {
            if (spec.udp()) {
                openUdp();
            } else {
                openTcpAtRate();
            }
            loop.every(Duration.ofSeconds(1), this::reportProgress);
            loop.run();
            if (phase != Phase.DONE) {
                releaseAll();          // stopped early (a connection failed): free what was opened
            }
            if (firstConnectError != null && phase == Phase.CONNECTING) {
                throw new IllegalStateException(connectFailures + " of " + (spec.connections() + spec.idle())
                        + " connections to " + Addresses.format(spec.target()) + " failed: " + firstConnectError);
            }
        }
        double seconds = (measureEnd - measureStart) / 1e9;
        long cpu = cpuStart >= 0 && cpuEnd >= 0 ? cpuEnd - cpuStart : -1;
        return new BenchResult(label, spec.udp() ? "udp" : "tcp", spec.connections(), spec.idle(), spec.size(),
                spec.depth(), seconds, messages, errors, us(50), us(90), us(99), us(99.9),
                histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue() / 1e3, cpu);
    }

    private double us(double percentile) {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / 1e3;
    }

    // ------------------------------------------------------------ phases

    private void openTcpAtRate() {
        int total = spec.idle() + spec.connections();
        int perTick = Math.max(1, spec.connectRate() / 100);
        Timer[] opener = new Timer[1];
        opener[0] = loop.every(Duration.ofMillis(10), () -> {
            for (int i = 0; i < perTick && opened < total; i++) {
                openTcp(opened++);
            }
            if (opened == total) {
                opener[0].cancel();
            }
        });
        long limit = 10_000 + 1000L * total / spec.connectRate();
        loop.after(Duration.ofMillis(limit), () -> {
            if (phase == Phase.CONNECTING) {
                if (firstConnectError == null) {
                    firstConnectError = "only " + confirmed + " confirmed within " + limit + " ms";
                }
                loop.stop();
            }
        });
    }

    private void openTcp(int n) {
        boolean idle = n < spec.idle();
        Protocol p = idle ? new IdleClient() : new TcpClient(n - spec.idle());
        CompletableFuture<TcpConnection> pending = Tcp.connect(loop, spec.target(), p);
        connecting.add(pending);
        pending.whenComplete((conn, failure) -> {
            if (pending.isCancelled()) {
                return;               // given up by releaseAll()
            }
            if (failure != null) {
                connectFailures++;
                if (firstConnectError == null) {
                    firstConnectError = failure.getMessage();
                }
                loop.stop();
                return;
            }
            if (idle) {
                idleConnections.add(conn);
            } else {
                tcpClients.add((TcpClient) p);
            }
            if (++confirmed == spec.idle() + spec.connections()) {
                startTraffic();
            }
        });
    }

    private void openUdp() {
        InetAddress local = spec.target().getAddress() instanceof Inet6Address
                ? InetAddress.getLoopbackAddress() : InetAddress.getLoopbackAddress();
        if (spec.target().getAddress() instanceof Inet6Address v6) {
            local = v6.isLoopbackAddress() ? v6 : local;
        }
        for (int i = 0; i < spec.connections(); i++) {
            UdpClient c = new UdpClient(i);
            try {
                c.endpoint = UdpEndpoint.bind(loop, new InetSocketAddress(local, 0), c);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            udpClients.add(c);
        }
        confirmed = spec.connections();
        loop.every(Duration.ofMillis(100), this::udpTimeouts);
        startTraffic();
    }

    private void startTraffic() {
        phase = Phase.WARMUP;
        for (TcpClient c : tcpClients) {
            c.start();
        }
        for (UdpClient c : udpClients) {
            c.start();
        }
        loop.after(spec.warmup(), () -> {
            phase = Phase.MEASURE;
            histogram.reset();
            messages = 0;               // errors are counted over the whole run, warm-up included
            cpuStart = spec.serverPid() > 0 ? ProcCpu.cpuNanos(spec.serverPid()) : -1;
            atMeasureStart.run();
            measureStart = System.nanoTime();
            loop.after(spec.duration(), this::finish);
        });
    }

    private void finish() {
        measureEnd = System.nanoTime();
        cpuEnd = spec.serverPid() > 0 ? ProcCpu.cpuNanos(spec.serverPid()) : -1;
        atMeasureEnd.run();
        phase = Phase.DONE;
        releaseAll();
        loop.stop();
    }

    /**
     * Aborts every connection and closes every endpoint. Abort, not close: a graceful close
     * would linger for the server's FIN after the loop has stopped, leaving descriptors open
     * in a process that may run many rounds.
     */
    private void releaseAll() {
        for (CompletableFuture<TcpConnection> f : connecting) {
            f.cancel(false);          // still connecting: closes the socket (done ones stay as they are)
        }
        connecting.clear();
        for (TcpClient c : tcpClients) {
            c.transport.abort();
        }
        for (Transport t : idleConnections) {
            t.abort();
        }
        for (UdpClient c : udpClients) {
            c.endpoint.close();
        }
    }

    private long lastReplies;
    private long lastTick = System.nanoTime();

    private void reportProgress() {
        long now = System.nanoTime();
        double rate = (allReplies - lastReplies) / ((now - lastTick) / 1e9);
        lastReplies = allReplies;
        lastTick = now;
        String what = switch (phase) {
            case CONNECTING -> String.format(Locale.ROOT, "connecting %d/%d", confirmed, spec.idle() + spec.connections());
            case WARMUP -> "warm-up";
            case MEASURE -> String.format(Locale.ROOT, "measuring %.0f/%ds", (now - measureStart) / 1e9,
                    spec.duration().toSeconds());
            case DONE -> "done";
        };
        boolean measured = phase == Phase.MEASURE && histogram.getTotalCount() > 0;
        progress.accept(progressLine(what, rate, measured ? us(99) : -1, errors));
    }

    /**
     * One progress line: {@code [measuring 3/5s] 91,234 msgs/s, p99 41 us, errors 0}. The
     * percentile only once there are round trips measured: none are while connecting and
     * warming up (a p99 of 0 us there would read as a measurement).
     *
     * @param p99Micros the 99th percentile round trip, or negative for none yet
     */
    static String progressLine(String what, double rate, double p99Micros, long errors) {
        String p99 = p99Micros < 0 ? "" : String.format(Locale.ROOT, ", p99 %.0f us", p99Micros);
        return String.format(Locale.ROOT, "[%s] %,.0f msgs/s%s, errors %d", what, rate, p99, errors);
    }

    private void replied(long sentAt) {
        allReplies++;
        if (phase == Phase.MEASURE) {
            histogram.recordValue(Math.min(MAX_RTT, System.nanoTime() - sentAt));
            messages++;
        }
    }

    private boolean sending() {
        return phase == Phase.WARMUP || phase == Phase.MEASURE;
    }

    // ------------------------------------------------------------ TCP

    /** A connection opened first and left silent: it only costs the server memory and poll time. */
    private static final class IdleClient implements Protocol {
        @Override
        public void dataReceived(ByteBuffer data) {
        }
    }

    private final class TcpClient implements Protocol {
        final int id;
        final long[] sentAt = new long[spec.depth()];
        Transport transport;
        long sendSeq;
        long recvSeq;
        int recvOff;
        boolean broken;

        TcpClient(int id) {
            this.id = id;
        }

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        void start() {
            for (int i = 0; i < spec.depth(); i++) {
                send();
            }
        }

        void send() {
            sentAt[(int) (sendSeq % sentAt.length)] = System.nanoTime();
            payload.fill(scratch, id, sendSeq);
            transport.write(scratch);
            sendSeq++;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            int end = data.limit();
            for (int i = data.position(); i < end && !broken; i++) {
                if (recvSeq >= sendSeq || !payload.matches(id, recvSeq, recvOff, data.get(i))) {
                    // A wrong or unasked-for byte: the stream cannot be trusted any more.
                    errors++;
                    broken = true;
                    transport.abort();
                    return;
                }
                if (++recvOff == payload.size()) {
                    replied(sentAt[(int) (recvSeq % sentAt.length)]);
                    recvOff = 0;
                    recvSeq++;
                    if (sending()) {
                        send();
                    }
                }
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            if (phase != Phase.DONE && !broken) {
                errors++;        // the server closed or reset a connection under load
            }
        }
    }

    // ------------------------------------------------------------ UDP

    private final class UdpClient implements DatagramProtocol {
        final int id;
        final long[] sentAt = new long[spec.depth()];
        final long[] slotSeq = new long[spec.depth()];     // -1: answered
        UdpEndpoint endpoint;
        long sendSeq;
        long lastReply = System.nanoTime();

        UdpClient(int id) {
            this.id = id;
            java.util.Arrays.fill(slotSeq, -1);
        }

        void start() {
            for (int i = 0; i < spec.depth(); i++) {
                send();
            }
        }

        void send() {
            int slot = (int) (sendSeq % slotSeq.length);
            if (slotSeq[slot] != -1) {
                errors++;                                   // never answered: lost
            }
            slotSeq[slot] = sendSeq;
            sentAt[slot] = System.nanoTime();
            payload.fill(scratch, id, sendSeq);
            endpoint.send(scratch, spec.target());
            sendSeq++;
        }

        @Override
        public void datagramReceived(ByteBuffer data, InetSocketAddress from) {
            if (phase == Phase.DONE) {
                return;
            }
            if (data.remaining() != payload.size()) {
                errors++;
                return;
            }
            long seq = Payload.sequenceOf(data);
            int slot = (int) Math.floorMod(seq, (long) slotSeq.length);
            if (seq < 0 || slotSeq[slot] != seq) {
                return;                                     // a late answer to a datagram counted lost
            }
            int base = data.position();
            for (int i = 0; i < payload.size(); i++) {
                if (!payload.matches(id, seq, i, data.get(base + i))) {
                    errors++;
                    return;
                }
            }
            slotSeq[slot] = -1;
            lastReply = System.nanoTime();
            replied(sentAt[slot]);
            if (sending()) {
                send();
            }
        }
    }

    private void udpTimeouts() {
        if (!sending()) {
            return;
        }
        long now = System.nanoTime();
        for (UdpClient c : udpClients) {
            if (now - c.lastReply > UDP_TIMEOUT) {
                c.lastReply = now;
                c.send();                                   // replaces the oldest, counted lost
            }
        }
    }
}
