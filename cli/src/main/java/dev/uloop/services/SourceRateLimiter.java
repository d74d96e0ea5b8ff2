package dev.uloop.services;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * A token bucket per source network: refilled at {@code ratePerSecond} tokens a second,
 * holding at most one second's worth, so a network gets a burst of {@code ratePerSecond}
 * and then that many a second.
 *
 * <h2>Networks, not addresses</h2>
 * Sources are grouped by prefix, IPv4 /24 and IPv6 /56 by default (BIND's response-rate
 * limiting, chrony's and ntpd's client tables do the same): whoever has many addresses
 * has them in few networks, so spreading a flood over fresh addresses does not buy fresh
 * buckets. {@code /32} and {@code /128} limit single addresses.
 *
 * <h2>Bounded, never reset</h2>
 * At most {@code capacity} networks are remembered. When a new one comes and the table is
 * full, the one seen least recently is forgotten (its bucket would have refilled by the
 * time it comes back, unless it is very busy, and a busy one is seen often): a source that
 * keeps sending keeps its bucket, empty, whatever the rest of the address space does. Every
 * operation is O(1): a hash table of fixed size with chains, and a list in the order the
 * networks were last seen, all in arrays made once. Thread-safe.
 */
public final class SourceRateLimiter {
    /** How many networks are remembered by default. */
    public static final int MAX_SOURCES = 4096;
    /** The IPv4 prefix length sources are grouped by, by default. */
    public static final int DEFAULT_PREFIX4 = 24;
    /** The IPv6 prefix length sources are grouped by, by default. */
    public static final int DEFAULT_PREFIX6 = 56;
    private static final int NONE = -1;

    private final int rate;
    private final long nanosPerToken;
    private final long burstNanos;        // a full bucket, in the same unit
    private final LongSupplier nanoClock;
    private final int prefix4;
    private final int prefix6;
    private final int capacity;

    // Entry i: its network (hi, lo: the masked address), when its bucket is full again
    // ("full at": the bucket as a point in time), its hash chain and its place in the
    // least-recently-seen list.
    private final long[] keyHi;
    private final long[] keyLo;
    private final long[] fullAt;
    private final int[] chain;            // next entry in the same hash bucket
    private final int[] older;            // the entry seen before this one (towards the tail)
    private final int[] newer;            // the entry seen after this one (towards the head)
    private final int[] heads;            // hash bucket -> first entry
    private final InetAddress[] seen = new InetAddress[256];   // address -> network, by identity
    private final long[] seenHi = new long[256];
    private final long[] seenLo = new long[256];
    private int newest = NONE;
    private int oldest = NONE;
    private int size;

    /**
     * A limiter of single /24 and /56 networks, {@value #MAX_SOURCES} of them at most.
     *
     * @param ratePerSecond tokens a second per network, at least 1
     * @param nanoClock     a monotonic clock in nanoseconds, like {@link System#nanoTime()}
     */
    public SourceRateLimiter(int ratePerSecond, LongSupplier nanoClock) {
        this(ratePerSecond, DEFAULT_PREFIX4, DEFAULT_PREFIX6, MAX_SOURCES, nanoClock);
    }

    /**
     * A limiter.
     *
     * @param ratePerSecond tokens a second per network, at least 1
     * @param prefix4       IPv4 prefix length sources are grouped by (1-32)
     * @param prefix6       IPv6 prefix length sources are grouped by (1-128)
     * @param capacity      networks remembered at most (at least 1)
     * @param nanoClock     a monotonic clock in nanoseconds, like {@link System#nanoTime()}
     */
    public SourceRateLimiter(int ratePerSecond, int prefix4, int prefix6, int capacity, LongSupplier nanoClock) {
        if (ratePerSecond < 1) {
            throw new IllegalArgumentException("rate " + ratePerSecond + " per second; at least 1");
        }
        if (prefix4 < 1 || prefix4 > 32) {
            throw new IllegalArgumentException("IPv4 prefix /" + prefix4 + "; choose 1 to 32");
        }
        if (prefix6 < 1 || prefix6 > 128) {
            throw new IllegalArgumentException("IPv6 prefix /" + prefix6 + "; choose 1 to 128");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity + "; at least 1");
        }
        this.rate = ratePerSecond;
        this.nanosPerToken = 1_000_000_000L / ratePerSecond;
        this.burstNanos = nanosPerToken * ratePerSecond;
        this.nanoClock = nanoClock;
        this.prefix4 = prefix4;
        this.prefix6 = prefix6;
        this.capacity = capacity;
        keyHi = new long[capacity];
        keyLo = new long[capacity];
        fullAt = new long[capacity];
        chain = new int[capacity];
        older = new int[capacity];
        newer = new int[capacity];
        heads = new int[Integer.highestOneBit(capacity * 2 - 1) * 2];
        Arrays.fill(heads, NONE);
    }

    /**
     * Takes a token for a source.
     *
     * @param source the source address
     * @return true if the source's network is within its rate
     */
    public synchronized boolean tryAcquire(InetAddress source) {
        long now = nanoClock.getAsLong();
        // The endpoint hands out the same address object for a source it saw recently;
        // remembering its network by identity spares the copy getAddress() makes.
        int c = System.identityHashCode(source) & (seen.length - 1);
        long hi;
        long lo;
        if (seen[c] == source) {
            hi = seenHi[c];
            lo = seenLo[c];
        } else {
            byte[] a = source.getAddress();
            if (source instanceof Inet4Address) {
                hi = -1L;                                      // no IPv6 network has this
                lo = (bits(a, 0) >>> 32) & mask(prefix4, 32);
            } else {
                hi = bits(a, 0) & mask(Math.min(prefix6, 64), 64);
                lo = prefix6 <= 64 ? 0 : bits(a, 8) & mask(prefix6 - 64, 64);
            }
            seen[c] = source;
            seenHi[c] = hi;
            seenLo[c] = lo;
        }
        int e = find(hi, lo);
        if (e == NONE) {
            e = insert(hi, lo, now);
        } else {
            touch(e);
        }
        // The bucket as the time it will be full: a token is taken by moving that time
        // forward by one token's worth; it may not be more than a full bucket ahead of now.
        long full = Math.max(fullAt[e], now);
        if (full + nanosPerToken - now > burstNanos) {
            return false;
        }
        fullAt[e] = full + nanosPerToken;
        return true;
    }

    private static long bits(byte[] a, int from) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (from + i < a.length ? a[from + i] & 0xFF : 0);
        }
        return v;
    }

    /** The first {@code prefix} of {@code width} bits, as a mask in the low {@code width} bits. */
    private static long mask(int prefix, int width) {
        long all = width == 64 ? -1L : (1L << width) - 1;
        return prefix >= width ? all : all & ~((width == 64 ? -1L : (1L << width) - 1) >>> prefix);
    }

    private int slot(long hi, long lo) {
        long h = hi * 0x9E3779B97F4A7C15L ^ lo * 0xC2B2AE3D27D4EB4FL;
        return (int) (h ^ h >>> 31) & (heads.length - 1);
    }

    private int find(long hi, long lo) {
        for (int e = heads[slot(hi, lo)]; e != NONE; e = chain[e]) {
            if (keyHi[e] == hi && keyLo[e] == lo) {
                return e;
            }
        }
        return NONE;
    }

    /** A new network: a free entry, or the least recently seen one, forgotten. */
    private int insert(long hi, long lo, long now) {
        int e;
        if (size < capacity) {
            e = size++;
        } else {
            e = oldest;
            unlinkList(e);
            unlinkChain(e);
        }
        keyHi[e] = hi;
        keyLo[e] = lo;
        fullAt[e] = now;                                      // a full bucket
        int s = slot(hi, lo);
        chain[e] = heads[s];
        heads[s] = e;
        pushNewest(e);
        return e;
    }

    private void touch(int e) {
        if (e != newest) {
            unlinkList(e);
            pushNewest(e);
        }
    }

    private void pushNewest(int e) {
        older[e] = newest;
        newer[e] = NONE;
        if (newest != NONE) {
            newer[newest] = e;
        }
        newest = e;
        if (oldest == NONE) {
            oldest = e;
        }
    }

    private void unlinkList(int e) {
        if (older[e] != NONE) {
            newer[older[e]] = newer[e];
        } else {
            oldest = newer[e];
        }
        if (newer[e] != NONE) {
            older[newer[e]] = older[e];
        } else {
            newest = older[e];
        }
    }

    private void unlinkChain(int e) {
        int s = slot(keyHi[e], keyLo[e]);
        if (heads[s] == e) {
            heads[s] = chain[e];
            return;
        }
        for (int p = heads[s]; p != NONE; p = chain[p]) {
            if (chain[p] == e) {
                chain[p] = chain[e];
                return;
            }
        }
    }

    /**
     * The rate.
     *
     * @return tokens a second per network
     */
    public int ratePerSecond() {
        return rate;
    }

    /**
     * Networks currently remembered.
     *
     * @return how many, at most the capacity
     */
    public synchronized int trackedSources() {
        return size;
    }
}
