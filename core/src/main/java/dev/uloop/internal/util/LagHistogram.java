package dev.uloop.internal.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Loop lag over a recent window: how late timers and tasks ran, as a histogram with
 * logarithmic buckets (four per power of two, so a quantile is exact to within 25 %) over
 * two alternating windows of {@link #WINDOW_NANOS}: samples go into the current window;
 * when it is full the older one is cleared and becomes current. A reader sees the last one
 * to two windows. Recording is a bucket index (one {@code numberOfLeadingZeros}), one
 * counter increment and a comparison for the maximum: no allocation, no lock, no fence.
 *
 * <p>One writer, the loop thread; readers on any thread ({@link #summary}). Counters are
 * written with {@code setOpaque} and read with {@code getOpaque}; a rotation is bracketed
 * by a sequence number (a seqlock) so that a reader never mixes a cleared window with the
 * one before it.
 */
public final class LagHistogram {
    /** Length of one window: quantiles cover the last 15 to 30 seconds. */
    public static final long WINDOW_NANOS = 15_000_000_000L;
    private static final int SUB_BITS = 2;
    private static final int SUB = 1 << SUB_BITS;
    /** Buckets: {@code SUB} exact values, then {@code SUB} per power of two up to 2^63. */
    static final int BUCKETS = (64 - SUB_BITS) * SUB;
    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle LONGS = COUNTS;
    private static final VarHandle SEQ;
    private static final VarHandle CURRENT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SEQ = l.findVarHandle(LagHistogram.class, "seq", long.class);
            CURRENT = l.findVarHandle(LagHistogram.class, "current", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long windowNanos;
    private final long[][] counts = {new long[BUCKETS], new long[BUCKETS]};
    private final long[] max = new long[2];
    private final long[] start = new long[2];   // when each window began
    private int current;
    private long seq;                           // odd while a window is being cleared

    /**
     * A histogram whose first window starts at {@code now}.
     *
     * @param now {@code System.nanoTime()}
     */
    public LagHistogram(long now) {
        this(now, WINDOW_NANOS);
    }

    /**
     * A histogram with another window length (for tests).
     *
     * @param now         {@code System.nanoTime()}
     * @param windowNanos the length of one window
     */
    public LagHistogram(long now, long windowNanos) {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("window " + windowNanos + " ns is not positive");
        }
        this.windowNanos = windowNanos;
        start[0] = now;
        start[1] = now - windowNanos;
    }

    /**
     * Records one sample (loop thread only).
     *
     * @param lagNanos how late something ran; negative counts as 0
     * @param now      {@code System.nanoTime()}, to know when to move on to the next window
     */
    public void record(long lagNanos, long now) {
        int c = current;
        if (now - start[c] >= windowNanos) {
            c = rotate(now);
        }
        long[] a = counts[c];
        int i = index(lagNanos);
        COUNTS.setOpaque(a, i, a[i] + 1);
        if (lagNanos > max[c]) {
            LONGS.setOpaque(max, c, lagNanos);
        }
    }

    /** Clears the older window and makes it current (loop thread). */
    private int rotate(long now) {
        int next = 1 - current;
        boolean bothStale = now - start[current] >= 2 * windowNanos;
        SEQ.setOpaque(this, seq + 1);
        VarHandle.storeStoreFence();
        clear(next);
        if (bothStale) {
            clear(current);
        }
        LONGS.setOpaque(start, next, now);
        CURRENT.setOpaque(this, next);
        SEQ.setRelease(this, seq + 1);
        return next;
    }

    private void clear(int w) {
        long[] a = counts[w];
        for (int i = 0; i < a.length; i++) {
            if (a[i] != 0) {
                COUNTS.setOpaque(a, i, 0L);
            }
        }
        LONGS.setOpaque(max, w, 0L);
    }

    /**
     * The bucket of a value: values below 4 have their own, then four per power of two.
     *
     * @param v a value; negative counts as 0
     * @return its bucket
     */
    static int index(long v) {
        if (v < SUB) {
            return v <= 0 ? 0 : (int) v;
        }
        int e = 63 - Long.numberOfLeadingZeros(v);              // 2..62
        int m = (int) (v >>> (e - SUB_BITS)) & (SUB - 1);
        return (e - SUB_BITS + 1) * SUB + m;
    }

    /** The largest value in bucket {@code i}. */
    static long upperBound(int i) {
        if (i < SUB) {
            return i;
        }
        int e = i / SUB + SUB_BITS - 1;
        long m = i % SUB;
        long next = (SUB + m + 1) << (e - SUB_BITS);
        return next <= 0 ? Long.MAX_VALUE : next - 1;
    }

    /**
     * Lag over the recent window(s), as quantiles.
     *
     * @param count how many timers and tasks ran in the window
     * @param p50   the median lag, nanoseconds (a bucket's upper bound, at most {@code max})
     * @param p99   the 99th percentile, nanoseconds
     * @param max   the largest lag, nanoseconds
     */
    public record Summary(long count, long p50, long p99, long max) {
        /** No samples. */
        public static final Summary EMPTY = new Summary(0, 0, 0, 0);

        /**
         * The worse of two summaries, figure by figure (for a group of loops).
         *
         * @param o another summary
         * @return counts added, each quantile the larger
         */
        public Summary worst(Summary o) {
            return new Summary(count + o.count, Math.max(p50, o.p50), Math.max(p99, o.p99), Math.max(max, o.max));
        }
    }

    /**
     * The recent lag, safe from any thread: the current window, and the one before it while
     * the current is younger than a window.
     *
     * @param now {@code System.nanoTime()}
     * @return count, p50, p99 and max
     */
    public Summary summary(long now) {
        long[] sum = new long[BUCKETS];
        long top = 0;
        for (int attempt = 0; ; attempt++) {
            long s0 = (long) SEQ.getAcquire(this);
            java.util.Arrays.fill(sum, 0);
            top = 0;
            int c = (int) CURRENT.getOpaque(this);
            long age = now - (long) LONGS.getOpaque(start, c);
            if (age < 2 * windowNanos) {
                top = add(sum, c, top);
                if (age < windowNanos) {
                    top = add(sum, 1 - c, top);
                }
            }
            VarHandle.loadLoadFence();
            long s1 = (long) SEQ.getOpaque(this);
            if ((s0 & 1) == 0 && s0 == s1 || attempt == 3) {
                break;
            }
            Thread.onSpinWait();
        }
        long total = 0;
        for (long n : sum) {
            total += n;
        }
        if (total == 0) {
            return Summary.EMPTY;
        }
        return new Summary(total, quantile(sum, total, 0.50, top), quantile(sum, total, 0.99, top), top);
    }

    private long add(long[] sum, int w, long top) {
        long[] a = counts[w];
        for (int i = 0; i < BUCKETS; i++) {
            sum[i] += (long) COUNTS.getOpaque(a, i);
        }
        return Math.max(top, (long) LONGS.getOpaque(max, w));
    }

    private static long quantile(long[] sum, long total, double q, long max) {
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < sum.length; i++) {
            seen += sum[i];
            if (seen >= rank) {
                return Math.min(upperBound(i), max);
            }
        }
        return max;
    }
}
