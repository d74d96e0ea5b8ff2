package dev.uloop.internal.net;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A connection's bytes not sent yet: heap chunks in order (the first one partly sent up to
 * {@code headOffset}), plus what its engine holds in native send buffers, and the water
 * marks that pause and resume the writer (asyncio's write buffer limits).
 *
 * <p>Both engines empty it the same way: {@link #copyTo} copies from the front into a
 * native buffer, {@link #remove} drops what left. The readiness engine removes what
 * {@code send} took; the completion engine moves the bytes into its send buffer and counts
 * them as {@link #held}.
 */
public final class WriteQueue {
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>(4);
    private int headOffset;          // bytes of the first chunk already taken
    private long heapBytes;          // bytes in chunks, not counting those taken
    private long held;               // bytes an engine holds in its own buffers, not sent yet
    private int high;
    private int low;

    /** An empty queue with water marks {@code high} and {@code low}. */
    public WriteQueue(int high, int low) {
        setLimits(high, low);
    }

    /** Whether heap chunks wait (what an engine must still take). */
    public boolean hasChunks() {
        return heapBytes > 0;
    }

    /** Every byte not sent yet: chunks and what the engine holds. */
    public long size() {
        return heapBytes + held;
    }

    /** Appends {@code data}'s bytes from {@code position + skip} to its limit (copied; the buffer is unchanged). */
    public void add(ByteBuffer data, int skip) {
        byte[] rest = new byte[data.remaining() - skip];
        data.get(data.position() + skip, rest);
        append(rest);
    }

    /** Appends {@code len - skip} bytes of {@code data} from {@code off + skip} (copied). */
    public void add(byte[] data, int off, int len, int skip) {
        byte[] rest = new byte[len - skip];
        System.arraycopy(data, off + skip, rest, 0, rest.length);
        append(rest);
    }

    private void append(byte[] chunk) {
        if (chunk.length > 0) {
            chunks.addLast(chunk);
            heapBytes += chunk.length;
        }
    }

    /**
     * Copies bytes from the front of the chunks into {@code dst} at {@code at}, at most
     * {@code max}; they stay queued until {@link #remove}d.
     *
     * @return the bytes copied
     */
    public int copyTo(ByteBuffer dst, int at, int max) {
        int copied = 0;
        int offset = headOffset;
        for (byte[] chunk : chunks) {
            if (copied == max) {
                break;
            }
            int n = Math.min(chunk.length - offset, max - copied);
            dst.put(at + copied, chunk, offset, n);
            copied += n;
            offset = 0;
        }
        return copied;
    }

    /** Drops {@code n} bytes from the front of the chunks (they were sent, or taken by the engine). */
    public void remove(int n) {
        heapBytes -= n;
        while (n > 0) {
            byte[] head = chunks.peekFirst();
            int left = head.length - headOffset;
            if (n < left) {
                headOffset += n;
                return;
            }
            n -= left;
            chunks.pollFirst();
            headOffset = 0;
        }
    }

    /** The engine took ({@code n > 0}) or sent ({@code n < 0}) bytes it holds in its own buffers. */
    public void held(int n) {
        held += n;
    }

    /** Forgets every byte (the connection is lost or reset). */
    public void clear() {
        chunks.clear();
        headOffset = 0;
        heapBytes = 0;
        held = 0;
    }

    /** Sets the water marks. */
    public void setLimits(int high, int low) {
        if (low < 0 || high < low) {
            throw new IllegalArgumentException("need 0 <= low <= high, got high=" + high + " low=" + low);
        }
        this.high = high;
        this.low = low;
    }

    /** Whether more than the high-water mark waits. */
    public boolean aboveHigh() {
        return size() > high;
    }

    /** Whether no more than the low-water mark waits. */
    public boolean atOrBelowLow() {
        return size() <= low;
    }
}
