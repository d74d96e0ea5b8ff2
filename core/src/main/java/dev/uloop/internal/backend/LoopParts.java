package dev.uloop.internal.backend;

import dev.uloop.internal.net.SocketEngine;
import dev.uloop.internal.poller.CompletionPhase;
import dev.uloop.internal.poller.Poller;

/**
 * Everything a loop needs from its backend: the poller it waits on, the socket I/O its
 * network layer uses, and its completion phase ({@link CompletionPhase#NONE} on the
 * readiness backends). Closing the poller ends the rest.
 *
 * @param poller      the kernel wait
 * @param sockets     the engines of the loop's TCP connections and listening sockets
 * @param completions what the loop runs after the readiness handlers
 */
public record LoopParts(Poller poller, SocketEngine sockets, CompletionPhase completions) {
}
