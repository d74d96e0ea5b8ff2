package dev.uloop.examples;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The seeds' blocking (synchronous I/O) time server, for comparison, with the JDK alone:
 * one thread that accepts a client, waits for its request, answers, and only then accepts
 * the next. While one client is slow to send, every other client waits: the reason event
 * loops exist. Compare {@link TcpTimeServer}, which answers everyone from one thread.
 *
 * <pre>
 * java -p ... -m dev.uloop.examples/dev.uloop.examples.BlockingTimeServer [port]
 * echo hi | nc -N 127.0.0.1 3336
 * </pre>
 */
public final class BlockingTimeServer {
    private static final DateTimeFormatter SEED_FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private BlockingTimeServer() {}

    /**
     * Serves until the process is stopped.
     *
     * @param args optional port (default 3336, 0 for any)
     */
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 3336;
        try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            System.out.println("blocking-time listening on 127.0.0.1:" + server.getLocalPort() + " (tcp), blocking");
            while (true) {
                try (Socket client = server.accept()) {             // blocks until a client comes
                    InputStream in = client.getInputStream();
                    byte[] request = new byte[1024];
                    if (in.read(request) < 0) {                      // blocks until it sends
                        continue;
                    }
                    byte[] now = LocalDateTime.now().format(SEED_FORMAT).getBytes(StandardCharsets.US_ASCII);
                    client.getOutputStream().write(now);             // blocks until the kernel takes it
                } catch (IOException e) {
                    System.err.println("client failed: " + e);
                }
            }
        }
    }
}
