package dev.uloop.examples;

import dev.uloop.EventLoop;
import dev.uloop.net.DatagramProtocol;
import dev.uloop.net.Protocols;
import dev.uloop.net.Tcp;
import dev.uloop.net.UdpEndpoint;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The seeds' time client, on the loop: asks a time server over UDP or TCP and prints the
 * answer. It gives up after two seconds (a lost datagram is never answered).
 *
 * <pre>
 * java --enable-native-access=dev.uloop -p ... -m dev.uloop.examples/dev.uloop.examples.TimeClient udp 127.0.0.1 3333
 * java ... TimeClient tcp 127.0.0.1 3334
 * </pre>
 */
public final class TimeClient {
    private TimeClient() {}

    /**
     * Asks once.
     *
     * @param args {@code udp} or {@code tcp}, then host and port
     * @throws Exception when the server cannot be reached
     */
    public static void main(String[] args) throws Exception {
        boolean udp = args.length > 0 && args[0].equals("udp");
        InetSocketAddress server = new InetSocketAddress(args.length > 1 ? args[1] : "127.0.0.1",
                args.length > 2 ? Integer.parseInt(args[2]) : udp ? 3333 : 3334);
        byte[] request = "time?\n".getBytes(StandardCharsets.US_ASCII);
        StringBuilder answer = new StringBuilder();
        Throwable[] failure = new Throwable[1];
        try (EventLoop loop = EventLoop.open()) {
            loop.after(Duration.ofSeconds(2), () -> {
                failure[0] = new java.net.SocketTimeoutException("no answer from " + server + " within 2 s");
                loop.stop();
            });
            if (udp) {
                DatagramProtocol print = (data, from) -> {
                    answer.append(StandardCharsets.US_ASCII.decode(data));
                    loop.stop();
                };
                UdpEndpoint client = UdpEndpoint.bind(loop, new InetSocketAddress(server.getAddress(), 0), print);
                client.send(request, server);
            } else {
                Tcp.connect(loop, server, Duration.ofSeconds(2), Protocols
                                .onConnect(t -> {
                                    t.write(request);
                                    t.writeEof();               // one request
                                })
                                .onData((t, data) -> answer.append(StandardCharsets.US_ASCII.decode(data)))
                                .onLost((t, cause) -> loop.stop())
                                .get())
                        .exceptionally(e -> {
                            failure[0] = e;
                            loop.stop();
                            return null;
                        });
            }
            loop.run();
        }
        if (answer.isEmpty() && failure[0] != null) {
            System.err.println("time client: " + failure[0].getMessage());
            System.exit(1);
        }
        System.out.println(answer.toString().strip());
    }
}
