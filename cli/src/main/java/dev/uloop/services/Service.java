package dev.uloop.services;

import dev.uloop.net.Protocol;
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
 * </table>
 * After the reply, a daytime or time connection closes when the client does (see
 * {@link ReplyOnceProtocol} for why not at once).
 * The RFC ports are privileged (below 1024, root only), so uloop's defaults are 7000 plus
 * the RFC port: 7007, 7013, 7037.
 */
public enum Service {
    /** RFC 862. */
    ECHO("echo", "RFC 862", 7),
    /** RFC 867. */
    DAYTIME("daytime", "RFC 867", 13),
    /** RFC 868. */
    TIME("time", "RFC 868", 37);

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
     * @return {@code echo}, {@code daytime} or {@code time}
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
     * @return 7, 13 or 37
     */
    public int rfcPort() {
        return rfcPort;
    }

    /**
     * uloop's unprivileged default port: 7000 plus the RFC port.
     *
     * @return 7007, 7013 or 7037
     */
    public int defaultPort() {
        return 7000 + rfcPort;
    }

    /**
     * The reply to a datagram, which for daytime and time is also what a TCP connection gets.
     *
     * @param config the service's settings (the daytime format)
     * @return the responder
     */
    public Responder responder(ServiceConfig config) {
        return switch (this) {
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
        if (this == ECHO) {
            return EchoProtocol::new;
        }
        Responder r = responder(config);
        return () -> new ReplyOnceProtocol(r, id);
    }

    /** What a blocking server does with one TCP connection, on its own thread. */
    BlockingHandlers.Handler blockingTcp(ServiceConfig config) {
        if (this == ECHO) {
            return BlockingHandlers::echo;
        }
        Responder r = responder(config);
        return s -> BlockingHandlers.replyOnce(s, r.reply(EMPTY));
    }

    /** The request a TCP connection stands for (daytime, time): nothing. */
    static ByteBuffer emptyRequest() {
        return EMPTY.duplicate();
    }

    /**
     * Parses a service name.
     *
     * @param name {@code echo}, {@code daytime} or {@code time} (any case)
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
        throw new IllegalArgumentException("unknown service '" + name + "'; choose echo, daytime or time");
    }

    @Override
    public String toString() {
        return id;
    }
}
