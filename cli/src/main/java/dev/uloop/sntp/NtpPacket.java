package dev.uloop.sntp;

import java.nio.ByteBuffer;

/**
 * The NTP packet header (RFC 5905, section 7.3) and the checks a server makes before it
 * answers. Methods read and write with absolute indexes from the buffer's position, so a
 * buffer is never consumed.
 *
 * <pre>
 *  0: LI(2) VN(3) Mode(3) | 1: Stratum | 2: Poll | 3: Precision
 *  4: Root Delay (16.16)   8: Root Dispersion (16.16)   12: Reference ID
 * 16: Reference Timestamp 24: Origin Timestamp 32: Receive Timestamp 40: Transmit Timestamp
 * 48: extension fields (NTPv4, RFC 7822), then an optional MAC (key id + digest)
 * </pre>
 */
public final class NtpPacket {
    private NtpPacket() {}

    /** The header's length, and the length of every reply. */
    public static final int HEADER = 48;
    /** Extension fields a request may carry, at most (as chrony). */
    public static final int MAX_EXTENSIONS = 1024;
    /** The longest MAC: a 4-byte key id and a 20-byte SHA-1 digest. */
    public static final int MAX_MAC = 24;
    /** The longest request answered: header, extension fields and MAC. */
    public static final int MAX_REQUEST = HEADER + MAX_EXTENSIONS + MAX_MAC;

    public static final int STRATUM = 1;
    public static final int POLL = 2;
    public static final int PRECISION = 3;
    public static final int ROOT_DELAY = 4;
    public static final int ROOT_DISPERSION = 8;
    public static final int REFERENCE_ID = 12;
    public static final int REFERENCE_TIME = 16;
    public static final int ORIGIN_TIME = 24;
    public static final int RECEIVE_TIME = 32;
    public static final int TRANSMIT_TIME = 40;

    /** Mode 3: a client's request. */
    public static final int MODE_CLIENT = 3;
    /** Mode 4: a server's reply. */
    public static final int MODE_SERVER = 4;
    /** Leap indicator 3: the clock is not synchronised; clients discard such replies. */
    public static final int LEAP_UNSYNCHRONISED = 3;
    /** The newest version. */
    public static final int VERSION = 4;

    /** Why a datagram is or is not a request this server answers. */
    public enum Check {
        /** A client request: answer it. */
        OK("a client request"),
        /** Under 48 bytes. */
        TOO_SHORT("shorter than the 48-byte header"),
        /** Not a whole number of 32-bit words. */
        NOT_WORD_ALIGNED("length not a multiple of 4"),
        /** Over {@link #MAX_REQUEST} bytes. */
        TOO_LONG("longer than " + MAX_REQUEST + " bytes"),
        /** Version 0, or above 4. */
        BAD_VERSION("version not 1 to 4"),
        /** Mode other than 3: replies, broadcasts, symmetric and control (6) or private (7) messages. */
        NOT_A_REQUEST("mode is not 3 (client)"),
        /** Extension fields and MAC whose lengths do not add up to the datagram. */
        BAD_EXTENSIONS("extension fields do not add up");

        private final String reason;

        Check(String reason) {
            this.reason = reason;
        }

        /**
         * What is wrong, in a few words.
         *
         * @return the reason
         */
        public String reason() {
            return reason;
        }
    }

    /**
     * Judges a datagram as a request to a server.
     *
     * @param p the datagram, position to limit
     * @return {@link Check#OK} for a client request to answer, else why to drop it
     */
    public static Check checkRequest(ByteBuffer p) {
        int len = p.remaining();
        if (len < HEADER) {
            return Check.TOO_SHORT;
        }
        if (len > MAX_REQUEST) {
            return Check.TOO_LONG;
        }
        if ((len & 3) != 0) {
            return Check.NOT_WORD_ALIGNED;
        }
        int version = version(p);
        if (version < 1 || version > VERSION) {
            return Check.BAD_VERSION;
        }
        if (mode(p) != MODE_CLIENT) {
            return Check.NOT_A_REQUEST;
        }
        return trailerAddsUp(p, version) ? Check.OK : Check.BAD_EXTENSIONS;
    }

    /**
     * What follows the header must be nothing, a MAC (4-byte key id and a 16-byte MD5 or
     * 20-byte SHA-1 digest), or (NTPv4) extension fields of at least 16 bytes each, a
     * multiple of 4, fitting the datagram, optionally followed by a MAC.
     */
    private static boolean trailerAddsUp(ByteBuffer p, int version) {
        int base = p.position();
        int end = p.limit();
        int at = base + HEADER;
        while (true) {
            int rest = end - at;
            if (rest == 0 || rest == 20 || rest == MAX_MAC) {
                return true;
            }
            if (version < 4 || rest < 16) {
                return false;
            }
            int fieldLength = p.getShort(at + 2) & 0xFFFF;
            if (fieldLength < 16 || (fieldLength & 3) != 0 || fieldLength > rest) {
                return false;
            }
            at += fieldLength;
        }
    }

    /**
     * The leap indicator.
     *
     * @param p a packet
     * @return 0 to 3
     */
    public static int leap(ByteBuffer p) {
        return (p.get(p.position()) >> 6) & 3;
    }

    /**
     * The version number.
     *
     * @param p a packet
     * @return 0 to 7
     */
    public static int version(ByteBuffer p) {
        return (p.get(p.position()) >> 3) & 7;
    }

    /**
     * The mode.
     *
     * @param p a packet
     * @return 0 to 7
     */
    public static int mode(ByteBuffer p) {
        return p.get(p.position()) & 7;
    }

    /**
     * The first byte of a header.
     *
     * @param leap    0 to 3
     * @param version 0 to 7
     * @param mode    0 to 7
     * @return LI, VN and Mode packed
     */
    public static byte firstByte(int leap, int version, int mode) {
        return (byte) ((leap << 6) | (version << 3) | mode);
    }

    /**
     * A byte of the header.
     *
     * @param p      a packet
     * @param offset for example {@link #STRATUM}
     * @return the byte, signed
     */
    public static byte getByte(ByteBuffer p, int offset) {
        return p.get(p.position() + offset);
    }

    /**
     * A 32-bit field of the header.
     *
     * @param p      a packet
     * @param offset for example {@link #ROOT_DELAY}
     * @return the field
     */
    public static int getInt(ByteBuffer p, int offset) {
        return p.getInt(p.position() + offset);
    }

    /**
     * A 64-bit timestamp of the header.
     *
     * @param p      a packet
     * @param offset for example {@link #TRANSMIT_TIME}
     * @return the timestamp
     */
    public static long getTimestamp(ByteBuffer p, int offset) {
        return p.getLong(p.position() + offset);
    }

    /**
     * Writes a 64-bit timestamp into the header.
     *
     * @param p      a packet
     * @param offset for example {@link #TRANSMIT_TIME}
     * @param ntp    the timestamp
     */
    public static void putTimestamp(ByteBuffer p, int offset, long ntp) {
        p.putLong(p.position() + offset, ntp);
    }

    /**
     * A reference ID as text: four ASCII characters at stratum 0 and 1 (a kiss code or a
     * clock's name), otherwise an IPv4 address (or, for IPv6 upstreams, the first four
     * bytes of a hash, shown the same way).
     *
     * @param refId   the field
     * @param stratum the packet's stratum
     * @return for example {@code "RATE"}, {@code "GPS"} or {@code "127.127.1.1"}
     */
    public static String refIdText(int refId, int stratum) {
        if (stratum <= 1) {
            StringBuilder sb = new StringBuilder(4);
            for (int shift = 24; shift >= 0; shift -= 8) {
                int c = (refId >>> shift) & 0xFF;
                if (c == 0) {
                    break;
                }
                sb.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
            }
            return sb.toString();
        }
        return ((refId >>> 24) & 0xFF) + "." + ((refId >>> 16) & 0xFF) + "." + ((refId >>> 8) & 0xFF) + "."
                + (refId & 0xFF);
    }
}
