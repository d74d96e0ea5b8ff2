package dev.uloop.cli;

import dev.uloop.EventLoop;
import dev.uloop.net.Protocol;
import dev.uloop.net.Transport;
import dev.uloop.net.Unix;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@code uloop client SERVICE --unix PATH}: one exchange over a Unix stream socket, on an
 * event loop run by the calling thread (JDK sockets cannot reach an abstract name).
 */
final class UnixClient {
    private UnixClient() {}

    /**
     * Connects to {@code spelling} ({@code @name}: abstract), sends {@code request} (if not
     * null) and half-closes, and reads to the server's EOF.
     *
     * @return what the server sent
     * @throws IOException when the connection fails (refused, no such socket), the reply is
     *                     larger than {@code maxReply} or nothing ends it within {@code timeout}
     */
    static byte[] ask(String spelling, byte[] request, Duration timeout, int maxReply) throws IOException {
        SocketAddress server;
        try {
            server = Unix.address(spelling);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        try (EventLoop loop = EventLoop.open()) {
            Unix.connect(loop, server, new Exchange(request, maxReply, reply)).whenComplete((t, e) -> {
                if (e != null) {
                    reply.completeExceptionally(e);
                }
            });
            loop.after(timeout, () -> reply.completeExceptionally(new IOException("no answer from "
                    + Unix.format(server) + " within " + timeout.toMillis() + " ms")));
            reply.whenComplete((r, e) -> loop.stop());
            if (!reply.isDone()) {
                loop.run();
            }
            return reply.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof java.net.ConnectException c) {
                throw new IOException(c.getMessage() + " (is the server running?)", c);
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Sends the request, collects the reply until the server's EOF. */
    private static final class Exchange implements Protocol {
        private final byte[] request;
        private final int maxReply;
        private final CompletableFuture<byte[]> reply;
        private final ByteArrayOutputStream got = new ByteArrayOutputStream();
        private Transport t;

        Exchange(byte[] request, int maxReply, CompletableFuture<byte[]> reply) {
            this.request = request;
            this.maxReply = maxReply;
            this.reply = reply;
        }

        @Override
        public void connectionMade(Transport transport) {
            t = transport;
            if (request != null) {
                t.write(request);
                t.writeEof();
            }
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            byte[] a = new byte[data.remaining()];
            data.get(a);
            got.writeBytes(a);
            if (got.size() > maxReply) {
                reply.completeExceptionally(new IOException("the reply is larger than " + maxReply
                        + " bytes; giving up"));
                t.abort();
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            if (cause != null) {
                reply.completeExceptionally(cause);
            } else {
                reply.complete(got.toByteArray());
            }
        }
    }
}
