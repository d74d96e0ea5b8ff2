package dev.uloop.examples;

import dev.uloop.EventLoop;
import dev.uloop.net.Protocols;
import dev.uloop.net.Tcp;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The seeds' echo client, on the loop: sends a message, prints what comes back, and closes
 * once the server has echoed it all and closed its side.
 *
 * <pre>
 * java --enable-native-access=dev.uloop -p ... -m dev.uloop.examples/dev.uloop.examples.EchoClient 127.0.0.1 3335 hello
 * </pre>
 */
public final class EchoClient {
    private EchoClient() {}

    /**
     * Sends once.
     *
     * @param args host, port and the message (default: hello)
     * @throws Exception when the server cannot be reached
     */
    public static void main(String[] args) throws Exception {
        InetSocketAddress server = new InetSocketAddress(args.length > 0 ? args[0] : "127.0.0.1",
                args.length > 1 ? Integer.parseInt(args[1]) : 3335);
        byte[] message = (args.length > 2 ? args[2] : "hello").getBytes(StandardCharsets.UTF_8);
        StringBuilder echoed = new StringBuilder();
        Throwable[] failure = new Throwable[1];
        try (EventLoop loop = EventLoop.open()) {
            Tcp.connect(loop, server, Duration.ofSeconds(2), Protocols
                            .onConnect(t -> {
                                t.write(message);
                                t.writeEof();               // all sent: the server closes after echoing it
                            })
                            .onData((t, data) -> echoed.append(StandardCharsets.UTF_8.decode(data)))
                            .onLost((t, cause) -> {
                                failure[0] = cause;
                                loop.stop();
                            })
                            .get())
                    .exceptionally(e -> {
                        failure[0] = e;
                        loop.stop();
                        return null;
                    });
            loop.run();
        }
        if (failure[0] != null) {
            System.err.println("echo client: " + failure[0].getMessage());
            System.exit(1);
        }
        System.out.println(echoed);
    }
}
