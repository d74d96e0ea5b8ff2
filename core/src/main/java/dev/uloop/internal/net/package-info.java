/**
 * Sockets, below the public network layer: {@code NativeSocket} (one descriptor and
 * everything done to it), {@code Sockets} (server sockets, bind errors, ports shared by
 * several loops), and the engines a connection's I/O goes through: the contracts
 * ({@code StreamEngine} down, {@code StreamOwner} up; {@code AcceptorEngine},
 * {@code AcceptorOwner}; {@code SocketEngine}, one per loop) and the readiness engine that
 * serves epoll, io_uring readiness, poll and select ({@code ReadinessStream},
 * {@code ReadinessAcceptor}, {@code DatagramEngine}, {@code Connects}). {@code WriteQueue}
 * is the one write queue of every engine. The completion engine is in
 * {@code dev.uloop.internal.uring}.
 */
package dev.uloop.internal.net;
