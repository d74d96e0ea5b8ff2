package dev.uloop.services;

import java.nio.ByteBuffer;

/**
 * What a service answers to one request: a UDP datagram, or (for daytime and time) a new
 * TCP connection, whose request is empty. Runs on the thread that serves the socket.
 */
@FunctionalInterface
public interface Responder {
    /**
     * The reply.
     *
     * @param request the request's bytes, position to limit; valid only during the call
     * @return the reply, position to limit; may be {@code request} itself (echo)
     */
    ByteBuffer reply(ByteBuffer request);
}
