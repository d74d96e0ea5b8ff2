package dev.uloop.sntp;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * How an SNTP server describes its clock, and how it treats sources over the rate limit.
 *
 * <p>The defaults are those of chrony's {@code local} directive, which serves the
 * machine's own clock when no better reference is known: stratum 10 and the reference ID
 * 127.127.1.1 (0x7F7F0101), the address the old ntpd "local clock driver" used. Stratum 10
 * is far enough down that a client with any real source prefers that source.
 *
 * @param stratum     1 to 15
 * @param refId       the reference ID field
 * @param kissOfDeath answer a rate-limited request with a KoD {@code RATE} packet (at
 *                    most one a second per source) instead of dropping it
 */
public record SntpSettings(int stratum, int refId, boolean kissOfDeath) {
    /** The default stratum (chrony's {@code local stratum 10}). */
    public static final int DEFAULT_STRATUM = 10;
    /** The default reference ID, 127.127.1.1, as chrony's local reference. */
    public static final int LOCAL_REFERENCE_ID = 0x7F7F0101;
    /** The defaults. */
    public static final SntpSettings DEFAULT = new SntpSettings(DEFAULT_STRATUM, LOCAL_REFERENCE_ID, false);

    /**
     * Checks the stratum.
     *
     * @throws IllegalArgumentException for a stratum outside 1 to 15
     */
    public SntpSettings {
        if (stratum < 1 || stratum > 15) {
            throw new IllegalArgumentException("stratum " + stratum + " is out of range; a server has 1 to 15");
        }
    }

    /**
     * A copy with another stratum.
     *
     * @param s 1 to 15
     * @return the copy
     */
    public SntpSettings withStratum(int s) {
        return new SntpSettings(s, refId, kissOfDeath);
    }

    /**
     * A copy with another reference ID.
     *
     * @param id the field
     * @return the copy
     */
    public SntpSettings withRefId(int id) {
        return new SntpSettings(stratum, id, kissOfDeath);
    }

    /**
     * A copy that sends or does not send KoD packets.
     *
     * @param kod true for KoD RATE, false to drop
     * @return the copy
     */
    public SntpSettings withKissOfDeath(boolean kod) {
        return new SntpSettings(stratum, refId, kod);
    }

    /**
     * Parses a reference ID: a dotted IPv4 address ({@code 127.127.1.1}, the upstream's
     * address at stratum 2 and below) or one to four ASCII letters and digits ({@code GPS},
     * {@code PPS}, {@code LOCL}: the kind of clock at stratum 1), padded with zero bytes.
     *
     * @param text the ID
     * @return the field
     * @throws IllegalArgumentException for anything else
     */
    public static int parseRefId(String text) {
        String t = text.strip();
        if (t.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            int v = 0;
            for (String part : t.split("\\.")) {
                int b = Integer.parseInt(part);
                if (b > 255) {
                    throw new IllegalArgumentException("reference ID '" + text + "': " + b + " is not a byte");
                }
                v = (v << 8) | b;
            }
            return v;
        }
        if (!t.matches("[A-Za-z0-9]{1,4}")) {
            throw new IllegalArgumentException("reference ID '" + text
                    + "': give an IPv4 address (127.127.1.1) or 1 to 4 letters and digits (GPS, LOCL)");
        }
        byte[] b = t.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (i < b.length ? b[i] : 0);
        }
        return v;
    }
}
