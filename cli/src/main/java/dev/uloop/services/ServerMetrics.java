package dev.uloop.services;

import dev.uloop.EventLoopGroup;
import dev.uloop.LoopStats;
import dev.uloop.net.ConnectionLimiter;
import dev.uloop.net.TcpServerGroup;
import dev.uloop.net.UdpEndpointGroup;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the metrics endpoint answers: a server's counters and its loops' figures in the
 * Prometheus text format. Everything is read from the loops while they run, without
 * stopping them: the network layer's counters and {@link LoopStats} are safe from any
 * thread.
 */
final class ServerMetrics {
    private static final double NANOS = 1e9;

    private ServerMetrics() {}

    /**
     * The metrics of a server on event loops.
     *
     * @param config   what it serves
     * @param group    its loops
     * @param tcp      its TCP servers, or null
     * @param udp      its UDP endpoints, or null
     * @param answerer its UDP answerer, or null
     * @param unix     its Unix sockets, or null
     * @return the exposition text
     */
    static String render(ServiceConfig config, EventLoopGroup group, TcpServerGroup tcp, UdpEndpointGroup udp,
                         DatagramAnswerer answerer, UnixServing unix) {
        PrometheusText p = new PrometheusText();
        String service = config.service().id();
        p.metric("uloop_info", "gauge", "The service and backend served (always 1)")
                .sample("uloop_info", 1, "service", service, "backend", group.backend().id());
        p.metric("uloop_loops", "gauge", "Event loops serving").sample("uloop_loops", group.size());
        loops(p, group.stats());
        if (tcp != null) {
            p.metric("uloop_tcp_connections_open", "gauge", "TCP connections open now")
                    .sample("uloop_tcp_connections_open", tcp.connectionCount());
            p.metric("uloop_tcp_connections_accepted_total", "counter", "TCP connections accepted, by loop");
            for (int i = 0; i < tcp.size(); i++) {
                p.sample("uloop_tcp_connections_accepted_total", tcp.acceptedCount(i), "loop", Integer.toString(i));
            }
            p.metric("uloop_tcp_received_bytes_total", "counter", "Bytes the TCP connections received")
                    .sample("uloop_tcp_received_bytes_total", tcp.bytesReceived());
            p.metric("uloop_tcp_written_bytes_total", "counter", "Bytes the service wrote to its TCP connections"
                    + " (queued or sent)").sample("uloop_tcp_written_bytes_total", tcp.bytesWritten());
            limits(p, tcp);
        }
        if (udp != null) {
            udp(p, udp, answerer, service);
        }
        if (unix != null) {
            unix.metrics(p);
        }
        return p.toString();
    }

    /** Refusals by --max-connections and --max-per-source, and idle closes (zero without limits). */
    private static void limits(PrometheusText p, TcpServerGroup tcp) {
        ConnectionLimiter limiter = tcp.connectionLimiter();
        p.metric("uloop_tcp_connections_refused_total", "counter",
                "TCP connections refused by a limit (max_connections: all sources; max_per_source: one source)");
        p.sample("uloop_tcp_connections_refused_total", limiter == null ? 0 : limiter.refusedOverTotalCount(),
                "reason", "max_connections");
        p.sample("uloop_tcp_connections_refused_total", limiter == null ? 0 : limiter.refusedOverSourceCount(),
                "reason", "max_per_source");
        p.metric("uloop_tcp_connections_idle_closed_total", "counter", "TCP connections closed by the idle timeout")
                .sample("uloop_tcp_connections_idle_closed_total", tcp.idleClosedCount());
        if (limiter != null) {
            p.metric("uloop_tcp_connection_sources", "gauge", "Sources with a connection open (with --max-per-source)")
                    .sample("uloop_tcp_connection_sources", limiter.sourceCount());
        }
    }

    private static void udp(PrometheusText p, UdpEndpointGroup udp, DatagramAnswerer answerer, String service) {
        p.metric("uloop_udp_datagrams_received_total", "counter", "UDP datagrams received")
                .sample("uloop_udp_datagrams_received_total", udp.receivedCount());
        p.metric("uloop_udp_datagrams_answered_total", "counter", "UDP replies sent")
                .sample("uloop_udp_datagrams_answered_total", udp.sentCount());
        p.metric("uloop_udp_datagrams_dropped_total", "counter",
                "UDP datagrams not answered, by reason (loop: from a service port; rate: over the rate limit;"
                        + " send: the reply could not be sent; others: not a valid request)");
        Map<String, Long> drops = new TreeMap<>(answerer == null ? Map.of() : answerer.dropsByReason());
        drops.put("send", udp.sendDrops());
        drops.forEach((reason, n) -> p.sample("uloop_udp_datagrams_dropped_total", n, "reason", reason));
        UdpGuard guard = answerer == null ? null : answerer.guard();
        if (guard != null && guard.ratePerSecond() > 0) {
            p.metric("uloop_udp_rate_limit_sources", "gauge", "Sources the rate limiter tracks now")
                    .sample("uloop_udp_rate_limit_sources", guard.trackedSources());
        }
        if (answerer instanceof SntpAnswerer sntp) {
            long kod = sntp.kissesOfDeath();
            p.metric("uloop_sntp_requests_total", "counter", "SNTP requests, by outcome");
            p.sample("uloop_sntp_requests_total", Math.max(0, udp.sentCount() - kod), "outcome", "answered");
            p.sample("uloop_sntp_requests_total", kod, "outcome", "kiss_of_death");
            drops.forEach((reason, n) -> p.sample("uloop_sntp_requests_total", n, "outcome",
                    reason.equals("send") ? "send_failed" : "dropped_" + reason));
        }
    }

    private static void loops(PrometheusText p, List<LoopStats> all) {
        each(p, all, "uloop_loop_iterations_total", "counter", "Loop iterations (one kernel wait each)",
                s -> s.iterations());
        each(p, all, "uloop_loop_events_total", "counter", "Handler calls and completions dispatched",
                s -> s.eventsDispatched());
        each(p, all, "uloop_loop_tasks_total", "counter", "Tasks run from execute()", s -> s.tasksRun());
        each(p, all, "uloop_loop_wait_seconds_total", "counter", "Time spent waiting in the kernel (spinning included)",
                s -> s.waitNanos() / NANOS);
        each(p, all, "uloop_loop_spin_seconds_total", "counter",
                "Time spent polling without waiting before a wait (--spin), CPU time it costs", s -> s.spinNanos() / NANOS);
        each(p, all, "uloop_loop_spin_polls_total", "counter", "Polls without waiting made while spinning (--spin)",
                s -> s.spinPolls());
        each(p, all, "uloop_loop_busy_seconds_total", "counter", "Time spent running handlers, timers and tasks",
                s -> s.busyNanos() / NANOS);
        each(p, all, "uloop_loop_slow_callbacks_total", "counter",
                "Callbacks that held the loop longer than the slow-callback threshold", s -> s.slowCallbacks());
        each(p, all, "uloop_loop_tasks_pending", "gauge", "Tasks queued and not run yet", s -> s.pendingTasks());
        each(p, all, "uloop_loop_timers", "gauge", "Timers scheduled", s -> s.timers());
        each(p, all, "uloop_loop_registered_fds", "gauge", "Descriptors registered with the loop",
                s -> s.registeredFds());
        p.metric("uloop_loop_lag_seconds", "gauge", "How late timers and tasks started, over the last 15 to 30 s"
                + " (quantile 1 is the maximum)");
        for (int i = 0; i < all.size(); i++) {
            LoopStats s = all.get(i);
            String loop = Integer.toString(i);
            p.sample("uloop_loop_lag_seconds", s.lagP50Nanos() / NANOS, "loop", loop, "quantile", "0.5");
            p.sample("uloop_loop_lag_seconds", s.lagP99Nanos() / NANOS, "loop", loop, "quantile", "0.99");
            p.sample("uloop_loop_lag_seconds", s.lagMaxNanos() / NANOS, "loop", loop, "quantile", "1");
        }
        each(p, all, "uloop_loop_lag_samples", "gauge", "Timers and tasks the lag quantiles are taken from",
                s -> s.lagSamples());
    }

    private static void each(PrometheusText p, List<LoopStats> all, String name, String type, String help,
                             java.util.function.ToDoubleFunction<LoopStats> value) {
        p.metric(name, type, help);
        for (int i = 0; i < all.size(); i++) {
            p.sample(name, value.applyAsDouble(all.get(i)), "loop", Integer.toString(i));
        }
    }
}
