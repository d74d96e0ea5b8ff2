package dev.uloop.examples;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
import dev.uloop.net.Addresses;
import dev.uloop.net.DatagramProtocol;
import dev.uloop.net.UdpEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The seeds' UDP time server on uloop: a client sends a few bytes, the server answers with
 * its current time as text ({@code 2020-06-11 13:52:38.709123}). The seed's handler reads a
 * request on IN and answers on OUT; here the loop's UDP endpoint does the reading and hands
 * each request to {@link #datagramReceived}, which answers at once (a UDP send never waits).
 * A periodic callback reports what the loop did, as the seed's {@code add_periodic} would.
 *
 * <pre>
 * java --enable-native-access=dev.uloop -p ... -m dev.uloop.examples/dev.uloop.examples.UdpTimeServer [port] [backend]
 * echo hi | nc -u -w1 127.0.0.1 3333
 * </pre>
 */
public final class UdpTimeServer implements DatagramProtocol, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("uloop.examples.UdpTimeServer");
    private static final DateTimeFormatter SEED_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private final UdpEndpoint endpoint;

    /** Binds a UDP socket on the loop, like the seed's constructor. */
    public UdpTimeServer(EventLoop loop, InetSocketAddress address) throws IOException {
        this.endpoint = UdpEndpoint.bind(loop, address, this);
    }

    /** The seed's {@code process_event}: a request came; answer it with the time. */
    @Override
    public void datagramReceived(ByteBuffer request, InetSocketAddress from) {
        LOG.log(System.Logger.Level.INFO, "{0} bytes from {1}", request.remaining(), Addresses.format(from));
        byte[] now = LocalDateTime.now().format(SEED_FORMAT).getBytes(StandardCharsets.US_ASCII);
        endpoint.send(now, from);
    }

    /** The bound address. */
    public InetSocketAddress localAddress() {
        return endpoint.localAddress();
    }

    /** Closes the socket. */
    @Override
    public void close() {
        endpoint.close();
    }

    /**
     * Serves until the process is stopped.
     *
     * @param args optional port (default 3333, 0 for any) and backend (default: the best)
     */
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 3333;
        Backend backend = args.length > 1 ? Backend.parse(args[1]) : Backend.fromProperty();
        try (EventLoop loop = EventLoop.open(backend);
             UdpTimeServer server = new UdpTimeServer(loop, new InetSocketAddress("127.0.0.1", port))) {
            loop.every(Duration.ofSeconds(10), () -> LOG.log(System.Logger.Level.INFO, loop.stats().toString()));
            System.out.println("udp-time listening on " + Addresses.format(server.localAddress())
                    + " (udp), backend " + loop.backend());
            loop.run();
        }
    }
}
