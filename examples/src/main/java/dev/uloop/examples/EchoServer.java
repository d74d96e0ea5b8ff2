package dev.uloop.examples;

import dev.uloop.Backend;
import dev.uloop.EventLoop;
import dev.uloop.net.Addresses;
import dev.uloop.net.Protocol;
import dev.uloop.net.TcpServer;
import dev.uloop.net.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The seeds' TCP echo server with a message queue per connection. In the seed each
 * connection has a {@code queue.Queue} of what it received, and the server asks for
 * "writable" only while that queue is not empty. uloop's transport is that queue: a write
 * goes out at once when the socket takes it, the rest waits in the connection's queue, and
 * the loop watches for writability only meanwhile. When a client sends faster than it
 * reads, the queue passes its high-water mark and the protocol stops reading that client
 * until the queue has drained: memory stays bounded whatever the client does.
 *
 * <pre>
 * java --enable-native-access=dev.uloop -p ... -m dev.uloop.examples/dev.uloop.examples.EchoServer [port] [backend]
 * socat - TCP:127.0.0.1:3335
 * </pre>
 */
public final class EchoServer {
    private EchoServer() {}

    /** One connection. */
    static final class Echo implements Protocol {
        private Transport t;

        @Override
        public void connectionMade(Transport transport) {
            t = transport;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            t.write(data);                  // sent now, or queued for this connection
        }

        @Override
        public void pauseWriting() {
            t.pauseReading();               // its queue is full: read no more from it for now
        }

        @Override
        public void resumeWriting() {
            t.resumeReading();
        }

        @Override
        public boolean eofReceived() {
            t.close();                      // flush what is queued, then close
            return true;
        }
    }

    /**
     * Serves until the process is stopped.
     *
     * @param args optional port (default 3335, 0 for any) and backend (default: the best)
     */
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 3335;
        Backend backend = args.length > 1 ? Backend.parse(args[1]) : Backend.fromProperty();
        try (EventLoop loop = EventLoop.open(backend)) {
            TcpServer server = TcpServer.listen(loop, new InetSocketAddress("127.0.0.1", port), Echo::new);
            System.out.println("echo listening on " + Addresses.format(server.localAddress())
                    + " (tcp), backend " + loop.backend());
            loop.run();
        }
    }
}
