package dev.uloop.loadgen;

import dev.uloop.Backend;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One load run.
 *
 * @param target      the echo server
 * @param udp         UDP instead of TCP
 * @param connections active connections (1 to 10,000)
 * @param idle        extra connections opened first and left silent (TCP only)
 * @param size        message size in bytes
 * @param depth       messages in flight per connection: 1 is strict ping-pong, more is pipelined
 * @param warmup      traffic before measuring
 * @param duration    measured time
 * @param connectRate connections opened per second at most
 * @param sockperf    send sockperf's header and accept its reply flags
 * @param serverPid   the server's process id for CPU accounting, or 0
 * @param backend     the loop backend of the generator itself
 */
public record LoadSpec(InetSocketAddress target, boolean udp, int connections, int idle, int size, int depth,
                       Duration warmup, Duration duration, int connectRate, boolean sockperf, long serverPid,
                       Backend backend) {
    /** Checks the ranges; throws IllegalArgumentException with a one-line reason. */
    public LoadSpec {
        if (connections < 1 || connections > 10_000) {
            throw new IllegalArgumentException("--connections must be 1 to 10000, not " + connections);
        }
        if (idle < 0 || idle + connections > 18_000) {
            throw new IllegalArgumentException("--idle must be 0 or more, with at most 18000 connections in all"
                    + " (a process may hold 20000 descriptors here)");
        }
        if (udp && idle > 0) {
            throw new IllegalArgumentException("--idle applies to TCP only");
        }
        int min = sockperf ? Payload.SOCKPERF_HEADER : (udp ? 8 : 1);
        if (size < min || size > 65_507) {
            throw new IllegalArgumentException("--size must be " + min + " to 65507 bytes here, not " + size);
        }
        if (depth < 1 || depth > 1024) {
            throw new IllegalArgumentException("--depth must be 1 to 1024, not " + depth);
        }
        if (duration.isNegative() || duration.isZero() || warmup.isNegative()) {
            throw new IllegalArgumentException("--duration must be positive and --warmup not negative");
        }
        if (connectRate < 1) {
            throw new IllegalArgumentException("--connect-rate must be positive");
        }
        if (serverPid < 0) {
            throw new IllegalArgumentException("--server-pid must be a process id, not " + serverPid);
        }
    }
}
