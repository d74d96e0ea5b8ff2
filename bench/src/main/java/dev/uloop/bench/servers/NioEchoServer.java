package dev.uloop.bench.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A plain JDK NIO echo server on one thread and one {@link Selector}: the baseline with
 * no library at all. One direct buffer is reused for every read; a TCP connection gets a
 * queue (and stops reading until it drains) only when a write is partial. UDP echoes each
 * datagram to its sender, dropping it if the socket buffer is full.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'bench/target/uloop-bench-*.jar:bench/target/lib/*' \
 *     dev.uloop.bench.servers.NioEchoServer --port 9001 --tcp
 * </pre>
 */
public final class NioEchoServer implements EchoServer {
    private static final String USAGE = "NioEchoServer --port P (--tcp|--udp) [--host 127.0.0.1]";
    private static final int BUFFER_SIZE = 64 * 1024;   // any UDP datagram fits
    private static final int UDP_BURST = 64;           // datagrams per readiness, then select again

    private final String host;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER_SIZE);
    private Selector selector;
    private java.nio.channels.SelectableChannel channel;
    private Thread thread;
    private volatile boolean closing;

    /** A server on loopback. */
    public NioEchoServer() {
        this("127.0.0.1");
    }

    /**
     * A server on a given address.
     *
     * @param host the address to bind
     */
    public NioEchoServer(String host) {
        this.host = host;
    }

    /**
     * Runs the server until the process is killed.
     *
     * @param args {@code --port P (--tcp|--udp) [--host H]}
     * @throws Exception if it cannot start
     */
    public static void main(String[] args) throws Exception {
        ServerArgs a = ServerArgs.parse(USAGE, args);
        if (a.transport != null && !a.transport.equals("nio")) {
            System.err.println("NioEchoServer has only the nio transport");
            System.exit(2);
        }
        a.serve(x -> new NioEchoServer(x.host));
    }

    @Override
    public synchronized int start(int port, boolean tcp) throws IOException {
        if (selector != null) {
            throw new IllegalStateException("already started");
        }
        selector = Selector.open();
        InetSocketAddress address = new InetSocketAddress(host, port);
        int bound;
        if (tcp) {
            ServerSocketChannel s = ServerSocketChannel.open();
            channel = s;
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(address, 1024);
            s.configureBlocking(false);
            s.register(selector, SelectionKey.OP_ACCEPT);
            bound = ((InetSocketAddress) s.getLocalAddress()).getPort();
        } else {
            DatagramChannel d = DatagramChannel.open();
            channel = d;
            d.bind(address);
            d.configureBlocking(false);
            d.register(selector, SelectionKey.OP_READ);
            bound = ((InetSocketAddress) d.getLocalAddress()).getPort();
        }
        thread = Thread.ofPlatform().name("nio-echo-" + (tcp ? "tcp-" : "udp-") + bound).daemon().start(this::run);
        return bound;
    }

    private void run() {
        try {
            while (!closing) {
                selector.select();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    try {
                        handle(key);
                    } catch (IOException e) {
                        closeKey(key);   // reset by peer etc.: drop that connection
                    }
                }
            }
        } catch (IOException e) {
            if (!closing) {
                throw new UncheckedIOException(e);
            }
        } catch (ClosedSelectorException e) {
            // closed under us: done
        }
    }

    private void handle(SelectionKey key) throws IOException {
        if (!key.isValid()) {
            return;
        }
        if (key.channel() instanceof ServerSocketChannel server) {
            SocketChannel c;
            while ((c = server.accept()) != null) {
                c.configureBlocking(false);
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.register(selector, SelectionKey.OP_READ);
            }
        } else if (key.channel() instanceof SocketChannel c) {
            if (key.isWritable()) {
                flushQueue(key, c);
            } else if (key.isReadable()) {
                echo(key, c);
            }
        } else if (key.channel() instanceof DatagramChannel d) {
            for (int i = 0; i < UDP_BURST; i++) {
                buf.clear();
                SocketAddress sender = d.receive(buf);
                if (sender == null) {
                    break;
                }
                buf.flip();
                d.send(buf, sender);   // 0 when the send buffer is full: dropped, as UDP may
            }
        }
    }

    private void echo(SelectionKey key, SocketChannel c) throws IOException {
        buf.clear();
        int n = c.read(buf);
        if (n < 0) {
            closeKey(key);
            return;
        }
        if (n == 0) {
            return;
        }
        buf.flip();
        c.write(buf);
        if (buf.hasRemaining()) {
            // Partial write: keep the rest and stop reading until the peer takes it.
            ByteBuffer rest = ByteBuffer.allocate(buf.remaining());
            rest.put(buf).flip();
            ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
            queue.add(rest);
            key.attach(queue);
            key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    private void flushQueue(SelectionKey key, SocketChannel c) throws IOException {
        @SuppressWarnings("unchecked")
        ArrayDeque<ByteBuffer> queue = (ArrayDeque<ByteBuffer>) key.attachment();
        while (queue != null && !queue.isEmpty()) {
            ByteBuffer b = queue.peek();
            c.write(b);
            if (b.hasRemaining()) {
                return;   // still full: wait for OP_WRITE again
            }
            queue.poll();
        }
        key.attach(null);
        key.interestOps(SelectionKey.OP_READ);
    }

    private static void closeKey(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException e) {
            // nothing more to do
        }
    }

    @Override
    public synchronized void close() {
        if (selector == null || closing) {
            return;
        }
        closing = true;
        selector.wakeup();
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (SelectionKey key : selector.keys()) {
            try {
                key.channel().close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            selector.close();
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
    }
}
