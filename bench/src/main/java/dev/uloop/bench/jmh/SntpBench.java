package dev.uloop.bench.jmh;

import dev.uloop.WallClock;
import dev.uloop.sntp.NtpPacket;
import dev.uloop.sntp.NtpTime;
import dev.uloop.sntp.SntpResponder;
import dev.uloop.sntp.SntpSettings;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU cost of an SNTP answer without the network, the part of t3 - t2 that is uloop's
 * own code:
 * <ul>
 * <li>{@link #wallClock}: one {@link WallClock#nanos()} ({@code clock_gettime} through FFM);</li>
 * <li>{@link #check}: {@link NtpPacket#checkRequest} of a 48-byte request;</li>
 * <li>{@link #answer}: check, build the reply into a reused direct buffer and stamp its
 *     transmit time (two clock reads' worth of conversions, one clock read).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class SntpBench {
    private final SntpResponder responder = new SntpResponder(SntpSettings.DEFAULT, -25);
    private final ByteBuffer request = ByteBuffer.allocateDirect(NtpPacket.HEADER);
    private final ByteBuffer reply = ByteBuffer.allocateDirect(NtpPacket.HEADER);

    /** A version-4 client request stamped now. */
    public SntpBench() {
        request.put(0, NtpPacket.firstByte(0, 4, NtpPacket.MODE_CLIENT));
        request.putLong(NtpPacket.TRANSMIT_TIME, NtpTime.fromUnixNanos(WallClock.nanos()));
    }

    /**
     * Reads the wall clock.
     *
     * @return nanoseconds since the Unix epoch
     */
    @Benchmark
    public long wallClock() {
        return WallClock.nanos();
    }

    /**
     * Checks a request.
     *
     * @return the verdict
     */
    @Benchmark
    public NtpPacket.Check check() {
        return NtpPacket.checkRequest(request);
    }

    /**
     * Checks, replies and stamps, as the server does per request.
     *
     * @return the reply's transmit timestamp
     */
    @Benchmark
    public long answer() {
        if (NtpPacket.checkRequest(request) != NtpPacket.Check.OK) {
            throw new IllegalStateException("the request should pass");
        }
        responder.reply(request, WallClock.nanos(), reply);
        SntpResponder.stampTransmit(reply, WallClock.nanos());
        return NtpPacket.getTimestamp(reply, NtpPacket.TRANSMIT_TIME);
    }
}
