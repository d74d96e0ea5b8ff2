package dev.uloop.bench.compare;

/**
 * Bytes allocated by a server's loop thread per echoed message, in steady state, from
 * JFR's periodic {@code jdk.ThreadAllocationStatistics} events.
 *
 * @param server        server id
 * @param point         the load point it ran
 * @param thread        the thread measured (the loop thread)
 * @param bytesPerMsg   allocated bytes per message over the whole window (one-off work such as the first use of a
 *                      code path included), NaN when it could not be measured
 * @param medianBytesPerMsg the same from the median 100 ms interval: the steady state, one-offs left out
 * @param bytes         bytes the thread allocated between the first and last sample of the window
 * @param seconds       time between those samples
 * @param msgsPerSec    the load generator's rate over its measured window
 * @param note          how it went, or why it failed
 */
public record AllocResult(String server, Point point, String thread, double bytesPerMsg, double medianBytesPerMsg,
                          long bytes, double seconds, double msgsPerSec, String note) {}
