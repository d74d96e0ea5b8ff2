package dev.uloop.examples;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
import dev.uloop.net.Addresses;
import dev.uloop.net.Protocols;
import dev.uloop.net.TcpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The seeds' TCP time server on uloop, as lambdas: every request a client sends is answered
 * with the server's current time; the connection closes after the client's end of stream.
 *
 * <pre>
 * java --enable-native-access=dev.uloop -p ... -m dev.uloop.examples/dev.uloop.examples.TcpTimeServer [port] [backend]
 * echo hi | nc -N 127.0.0.1 3334
 * </pre>
 */
public final class TcpTimeServer {
    private static final DateTimeFormatter SEED_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private TcpTimeServer() {}

    /**
     * Serves until the process is stopped.
     *
     * @param args optional port (default 3334, 0 for any) and backend (default: the best)
     */
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 3334;
        Backend backend = args.length > 1 ? Backend.parse(args[1]) : Backend.fromProperty();
        try (EventLoop loop = EventLoop.open(backend)) {
            TcpServer server = TcpServer.listen(loop, new InetSocketAddress("127.0.0.1", port),
                    Protocols.onData((t, request) ->
                            t.write(LocalDateTime.now().format(SEED_FORMAT).getBytes(StandardCharsets.US_ASCII))));
            System.out.println("tcp-time listening on " + Addresses.format(server.localAddress())
                    + " (tcp), backend " + loop.backend());
            loop.run();
        }
    }
}
