package dev.uloop.examples;

import dev.uloop.Backend;
import dev.uloop.EventLoopGroup;
import dev.uloop.net.Protocol;
import dev.uloop.net.TcpServerGroup;
import dev.uloop.net.Transport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A TCP echo server on a group of event loops: every loop listens on the same port
 * (SO_REUSEPORT) and serves, on its own thread, the connections the kernel gives it.
 * Enter stops it: every loop stops accepting, lets its connections flush, and closes.
 */
public final class GroupEchoServer {
    private GroupEchoServer() {}

    /** One connection: every byte goes back; close after the client's end of stream. */
    static final class Echo implements Protocol {
        private Transport t;

        @Override
        public void connectionMade(Transport transport) {
            t = transport;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            t.write(data);
        }

        @Override
        public void pauseWriting() {
            t.pauseReading();       // the client does not read: stop reading it meanwhile
        }

        @Override
        public void resumeWriting() {
            t.resumeReading();
        }

        @Override
        public boolean eofReceived() {
            t.close();
            return true;
        }
    }

    /**
     * Serves on 127.0.0.1 until Enter is pressed.
     *
     * @param args optional port (default 7007), loops (default: one per core) and backend
     * @throws Exception if it cannot listen
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 7007;
        int loops = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        Backend backend = args.length > 2 ? Backend.parse(args[2]) : Backend.fromProperty();
        EventLoopGroup group = EventLoopGroup.open(loops, backend, "echo");   // threads echo-0, echo-1...
        TcpServerGroup server = TcpServerGroup.listen(group, new InetSocketAddress("127.0.0.1", port), Echo::new);
        group.start();
        System.out.println("echo on " + server + "; Enter stops it");
        System.in.read();
        boolean drained = group.shutdown(Duration.ofSeconds(2));     // one deadline for all loops
        for (int i = 0; i < group.size(); i++) {
            System.out.println("loop " + i + " served " + server.acceptedCount(i) + " connections");
        }
        System.out.println(drained ? "stopped" : "stopped; connections still open at the deadline were aborted");
    }
}
