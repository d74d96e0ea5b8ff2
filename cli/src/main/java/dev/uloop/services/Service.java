package dev.uloop.services;

import dev.uloop.net.Protocol;
import dev.uloop.sntp.SntpResponder;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The small services uloop serves, and the one place that says what each does on TCP and
 * UDP, on the event loop and with blocking sockets.
 *
 * <table>
 * <caption>Services</caption>
 * <tr><th>service</th><th>RFC, port</th><th>TCP</th><th>UDP</th></tr>
 * <tr><td>echo</td><td>862, 7</td><td>sends back every byte until the client's EOF</td>
 *     <td>sends the datagram back</td></tr>
 * <tr><td>daytime</td><td>867, 13</td><td>one text line, then EOF</td><td>one datagram with the line</td></tr>
 * <tr><td>time</td><td>868, 37</td><td>4 bytes (seconds since 1900), then EOF</td>
 *     <td>one 4-byte datagram</td></tr>
 * <tr><td>sntp</td><td>4330 and 5905, 123</td><td>(UDP only)</td>
 *     <td>a 48-byte NTP server reply to each client request ({@link SntpAnswerer})</td></tr>
 * </table>
 * After the reply, a daytime or time connection closes when the client does (see
 * {@link ReplyOnceProtocol} for why not at once).
 * The RFC ports are privileged (below 1024, root only), so uloop's defaults are 7000 plus
 * the RFC port: 7007, 7013, 7037. SNTP is the exception: NTP clients ask port 123 and
 * most cannot be told otherwise, so that is its default too.
 */
public enum Service {
    /** RFC 862. */
    ECHO("echo", "RFC 862", 7),
    /** RFC 867. */
    DAYTIME("daytime", "RFC 867", 13),
    /** RFC 868. */
    TIME("time", "RFC 868", 37),
    /** RFC 4330 (SNTP), server mode of RFC 5905. */
    SNTP("sntp", "RFC 4330", 123);

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final String id;
    private final String rfc;
    private final int rfcPort;

    Service(String id, String rfc, int rfcPort) {
        this.id = id;
        this.rfc = rfc;
        this.rfcPort = rfcPort;
    }

    /**
     * The name on the command line.
     *
     * @return {@code echo}, {@code daytime}, {@code time} or {@code sntp}
     */
    public String id() {
        return id;
    }

    /**
     * The RFC that defines it.
     *
     * @return for example {@code "RFC 862"}
     */
    public String rfc() {
        return rfc;
    }

    /**
     * The port the RFC assigns (privileged).
     *
     * @return 7, 13, 37 or 123
     */
    public int rfcPort() {
        return rfcPort;
    }

    /**
     * uloop's default port: 7000 plus the RFC port (unprivileged), except for SNTP, whose
     * clients only ask port 123.
     *
     * @return 7007, 7013, 7037 or 123
     */
    public int defaultPort() {
        return this == SNTP ? rfcPort : 7000 + rfcPort;
    }

    /**
     * Whether the service has no TCP form.
     *
     * @return true for sntp
     */
    public boolean udpOnly() {
        return this == SNTP;
    }

    /**
     * How the service treats datagrams, with its loop protection and rate limit.
     *
     * @param config the service's settings
     * @return a new answerer, for one socket
     */
    public DatagramAnswerer datagramAnswerer(ServiceConfig config) {
        if (this == SNTP) {
            return new SntpAnswerer(new SntpResponder(config.sntp()), config.rateLimit());
        }
        return DatagramAnswerer.guarded(responder(config), new UdpGuard(config.rateLimit(), System::nanoTime));
    }

    /**
     * The reply to a datagram, which for daytime and time is also what a TCP connection gets.
     *
     * @param config the service's settings (the daytime format)
     * @return the responder
     * @throws UnsupportedOperationException for sntp, whose replies depend on more than the
     *                                       request (see {@link #datagramAnswerer})
     */
    public Responder responder(ServiceConfig config) {
        return switch (this) {
            case SNTP -> throw new UnsupportedOperationException("sntp answers through datagramAnswerer()");
            case ECHO -> request -> request;
            case DAYTIME -> {
                DaytimeFormat format = config.format();
                yield request -> ByteBuffer.wrap(format.line(LocalDateTime.now()));
            }
            case TIME -> request -> ByteBuffer.wrap(Rfc868.encode(Instant.now()));
        };
    }

    /**
     * The protocol of one TCP connection on the event loop.
     *
     * @param config the service's settings
     * @return a factory of protocols, one per connection
     */
    public Supplier<Protocol> tcpProtocol(ServiceConfig config) {
        requireTcp();
        if (this == ECHO) {
            return EchoProtocol::new;
        }
        Responder r = responder(config);
        return () -> new ReplyOnceProtocol(r, id);
    }

    /** What a blocking server does with one TCP connection, on its own thread. */
    BlockingHandlers.Handler blockingTcp(ServiceConfig config) {
        requireTcp();
        if (this == ECHO) {
            return BlockingHandlers::echo;
        }
        Responder r = responder(config);
        return s -> BlockingHandlers.replyOnce(s, r.reply(EMPTY));
    }

    private void requireTcp() {
        if (udpOnly()) {
            throw new UnsupportedOperationException(id + " is served over UDP only");
        }
    }

    /** The request a TCP connection stands for (daytime, time): nothing. */
    static ByteBuffer emptyRequest() {
        return EMPTY.duplicate();
    }

    /**
     * Parses a service name.
     *
     * @param name {@code echo}, {@code daytime}, {@code time} or {@code sntp} (any case)
     * @return the service
     * @throws IllegalArgumentException for another name
     */
    public static Service parse(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        for (Service s : values()) {
            if (s.id.equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown service '" + name + "'; choose echo, daytime, time or sntp");
    }

    @Override
    public String toString() {
        return id;
    }
}
