package dev.uloop.loadgen;

import java.nio.ByteBuffer;

/**
 * What the load generator sends and expects back: each message is a pure function of
 * (connection, sequence, offset), so every reply byte is checked without keeping copies.
 *
 * <p>Plain mode: bytes 0-7 carry the sequence (big-endian, when the message has room),
 * the rest a pattern. sockperf mode: sockperf's 14-byte big-endian header (sequence u64,
 * flags u16, total length u32) then the pattern; the flags ask for a reply
 * ({@code CLIENT | PONG_REQUEST}) and sockperf's server clears the CLIENT bit in its
 * answer, so that one bit is ignored when replies are checked.
 */
final class Payload {
    /** sockperf's header size. */
    static final int SOCKPERF_HEADER = 14;
    /** sockperf flags: the message comes from a client. */
    static final int FLAG_CLIENT = 0x1;
    /** sockperf flags: the server must answer. */
    static final int FLAG_PONG_REQUEST = 0x2;

    private final int size;
    private final boolean sockperf;

    Payload(int size, boolean sockperf) {
        this.size = size;
        this.sockperf = sockperf;
    }

    int size() {
        return size;
    }

    /** The byte at {@code i} of message {@code seq} of connection {@code conn}, as sent. */
    byte sent(int conn, long seq, int i) {
        if (sockperf) {
            if (i < 8) {
                return (byte) (seq >>> (56 - 8 * i));
            }
            if (i == 8) {
                return 0;
            }
            if (i == 9) {
                return (byte) (FLAG_CLIENT | FLAG_PONG_REQUEST);
            }
            if (i < SOCKPERF_HEADER) {
                return (byte) (size >>> (8 * (13 - i)));
            }
        } else if (i < 8 && size >= 8) {
            return (byte) (seq >>> (56 - 8 * i));
        }
        return (byte) (conn * 131 + seq * 31 + i * 7 + (i >>> 8));
    }

    /** Whether {@code got} is a correct reply byte at {@code i}. */
    boolean matches(int conn, long seq, int i, byte got) {
        byte want = sent(conn, seq, i);
        if (sockperf && i == 9) {
            return ((want ^ got) & ~FLAG_CLIENT & 0xff) == 0;
        }
        return want == got;
    }

    /** The sequence a reply carries (bytes 0-7), for datagrams that may come out of order. */
    static long sequenceOf(ByteBuffer reply) {
        return reply.getLong(reply.position());
    }

    /** Whether replies carry their sequence (needed for UDP). */
    boolean carriesSequence() {
        return size >= 8;
    }

    /** Writes message {@code seq} of {@code conn} into {@code out} (cleared, then flipped). */
    void fill(ByteBuffer out, int conn, long seq) {
        out.clear();
        for (int i = 0; i < size; i++) {
            out.put(sent(conn, seq, i));
        }
        out.flip();
    }
}
