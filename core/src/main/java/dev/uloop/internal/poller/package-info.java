/**
 * The kernel wait of the readiness backends: the {@code Poller} interface and one file per
 * backend, {@code EpollPoller}, {@code PollPoller}, {@code SelectPoller} (io_uring's, which
 * shares its ring with completion mode, is {@code dev.uloop.internal.uring.IoUringPoller}),
 * with what they share: the wait loop ({@code Waits}), the fd table, the result list
 * ({@code ReadySet}), growable native arrays, the {@code Waker} (eventfd or pipe), and the
 * loop's {@code CompletionPhase}, which is empty on these backends.
 */
package dev.uloop.internal.poller;
