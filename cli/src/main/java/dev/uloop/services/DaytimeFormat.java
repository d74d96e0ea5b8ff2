package dev.uloop.services;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How the daytime service (RFC 867) writes the time. RFC 867 leaves the format free and
 * asks for text lines; both formats end with {@code "\r\n"}, over TCP and UDP.
 */
public enum DaytimeFormat {
    /**
     * The seeds' Python {@code str(datetime.now())}, local time with microseconds:
     * {@code 2020-06-11 13:52:38.709123}. (Python drops the fraction when it is exactly
     * zero; this always writes six digits, so the line has one fixed shape.)
     */
    SEED("seed", DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT)),
    /**
     * The classic inetd format, ctime(3) without its newline, local time:
     * {@code Thu Jun 11 13:52:38 2020} (the day of the month padded with a space).
     */
    INETD("inetd", DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US));

    private final String id;
    private final DateTimeFormatter formatter;

    DaytimeFormat(String id, DateTimeFormatter formatter) {
        this.id = id;
        this.formatter = formatter;
    }

    /**
     * The name used on the command line.
     *
     * @return {@code "seed"} or {@code "inetd"}
     */
    public String id() {
        return id;
    }

    /**
     * Formats a local date and time, without the line end.
     *
     * @param t the time
     * @return for example {@code 2020-06-11 13:52:38.709123}
     */
    public String format(LocalDateTime t) {
        return formatter.format(t);
    }

    /**
     * The bytes sent for a time: the text and {@code "\r\n"}, in ASCII.
     *
     * @param t the time
     * @return the line
     */
    public byte[] line(LocalDateTime t) {
        return (format(t) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Parses a format name.
     *
     * @param name {@code seed} or {@code inetd} (any case)
     * @return the format
     * @throws IllegalArgumentException for another name
     */
    public static DaytimeFormat parse(String name) {
        for (DaytimeFormat f : values()) {
            if (f.id.equalsIgnoreCase(name.strip())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown daytime format '" + name + "'; choose seed or inetd");
    }

    @Override
    public String toString() {
        return id;
    }
}
