package dev.uloop.services;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/** The blocking servers' TCP services: plain {@code InputStream}/{@code OutputStream} code, one thread per connection. */
final class BlockingHandlers {
    /** How long a finished connection waits for the client's EOF before closing anyway. */
    static final java.time.Duration LINGER = java.time.Duration.ofSeconds(2);

    private BlockingHandlers() {}

    /** What to do with one accepted connection; the caller closes it afterwards. */
    @FunctionalInterface
    interface Handler {
        void serve(Socket socket) throws IOException;
    }

    /**
     * What a connection's thread reads into: java.io's usual 8 KiB. Each connection holds one
     * for its whole life (the event loop reads every connection into one buffer per loop), so
     * its size is part of what a thread per connection costs, and a 64 KiB one would have
     * counted eight times over in the memory per idle connection.
     */
    static final int ECHO_BUFFER = 8192;

    /** Echo: write back what is read until EOF. A client that does not read blocks the write, and so the reads. */
    static void echo(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buf = new byte[ECHO_BUFFER];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
        }
        out.flush();
    }

    /**
     * Daytime, time: write the reply, shut down output (the client sees EOF), then read and
     * ignore input until the client closes, at most {@link #LINGER}; the caller then
     * closes. Closing with unread input would send a reset that can make the client lose
     * the reply: the event loop's transport lingers the same way.
     */
    static void replyOnce(Socket socket, ByteBuffer reply) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes(reply));
        out.flush();
        finish(socket);
    }

    /**
     * A graceful end: shut down output (the client sees EOF), then read and discard input
     * until the client closes, at most {@link #LINGER}. The caller closes the socket.
     */
    static void finish(Socket socket) {
        try {
            if (!socket.isOutputShutdown()) {
                socket.shutdownOutput();
            }
            socket.setSoTimeout((int) LINGER.toMillis());
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            while (in.read(buf) >= 0) {
                // ignored
            }
        } catch (SocketTimeoutException e) {
            // The client kept the connection open: close it now.
        } catch (IOException e) {
            // Reset or closed by the peer: nothing left to protect.
        }
    }

    /** The bytes of a reply, position to limit. */
    static byte[] bytes(ByteBuffer b) {
        if (b.hasArray() && b.arrayOffset() == 0 && b.position() == 0 && b.remaining() == b.array().length) {
            return b.array();
        }
        byte[] copy = new byte[b.remaining()];
        b.get(b.position(), copy);
        return copy;
    }
}
