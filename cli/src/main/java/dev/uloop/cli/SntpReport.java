package dev.uloop.cli;

import dev.uloop.net.Addresses;
import dev.uloop.sntp.SntpClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * The output of {@code uloop client sntp}: a line per reply, as {@code ntpdate -q} prints
 * them, and medians when there were several.
 */
final class SntpReport {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    private SntpReport() {}

    /**
     * Asks {@code count} times and prints.
     *
     * @return 0 when at least one reply was usable
     * @throws IOException when none was (the last failure), or for a kiss-o'-death
     */
    static int run(InetSocketAddress server, int version, int timeoutMillis, int count, PrintWriter out)
            throws IOException {
        long[] offsets = new long[count];
        long[] delays = new long[count];
        long[] processing = new long[count];
        int n = 0;
        IOException last = null;
        try (SntpClient client = new SntpClient(server, version, timeoutMillis)) {
            for (int i = 0; i < count; i++) {
                SntpClient.Sample s;
                try {
                    s = client.query();
                } catch (SntpClient.KissOfDeathException e) {
                    throw e;      // the server asked us to stop
                } catch (IOException e) {
                    last = e;
                    continue;
                }
                out.println(line(s));
                out.flush();
                offsets[n] = s.offsetNanos();
                delays[n] = s.delayNanos();
                processing[n] = s.serverProcessingNanos();
                n++;
            }
        }
        if (n == 0) {
            throw last;
        }
        if (count > 1) {
            out.printf("%d of %d replies: offset median %+.6f s (min %+.6f, max %+.6f), delay median %.6f s,"
                            + " server processing (t3 - t2) median %.1f us%n",
                    n, count, seconds(median(offsets, n)), seconds(min(offsets, n)), seconds(max(offsets, n)),
                    seconds(median(delays, n)), median(processing, n) / 1e3);
        }
        out.flush();
        return 0;
    }

    /** One reply, ntpdate style, with the server's time first. */
    static String line(SntpClient.Sample s) {
        InetSocketAddress a = s.server();
        return String.format("%s UTC server %s port %d, stratum %d, refid %s, offset %+.6f, delay %.6f",
                TIME.format(Instant.ofEpochSecond(0, s.serverTimeNanos())), Addresses.host(a.getAddress()),
                a.getPort(), s.stratum(), s.refIdText(), seconds(s.offsetNanos()), seconds(s.delayNanos()));
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static long median(long[] v, int n) {
        long[] c = Arrays.copyOf(v, n);
        Arrays.sort(c);
        return (n & 1) == 1 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    }

    private static long min(long[] v, int n) {
        return Arrays.stream(v, 0, n).min().orElse(0);
    }

    private static long max(long[] v, int n) {
        return Arrays.stream(v, 0, n).max().orElse(0);
    }
}
