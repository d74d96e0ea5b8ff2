/**
 * Everything io_uring, both backends: the ring ({@code IoUringRing}, the mapped queues),
 * its life on a loop ({@code RingSession}: the owner thread, moves, the wait), the readiness
 * poll set over it ({@code PollSet}, behind {@code IoUringPoller}, the io_uring backends'
 * poller), the probe, and completion mode: where a byte received on io_uring-completion
 * goes. A multishot RECV fills a buffer of {@code ReceiveBuffers}; the wait reaps its
 * completion into {@code SocketIo}; the loop's completion phase ({@code CompletionEngine})
 * hands it to the connection's {@code CompletionStream}, which delivers it to the
 * connection (or holds it in a {@code ChunkStash} while reading is paused) and gives the
 * buffer back. Writes go out from {@code SendBuffers}.
 *
 * <p>The io_uring readiness poller lives here, not beside epoll's, because its ring is the
 * one completion mode submits its socket I/O on: one session, two clients.
 */
package dev.uloop.internal.uring;
