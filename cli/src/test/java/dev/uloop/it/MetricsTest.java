package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code uloop serve echo --metrics 127.0.0.1:0}: the endpoint read with curl, checked by a
 * strict parser of the Prometheus text format (and by the Prometheus Python client's parser
 * when python3-prometheus-client is installed), its counters moved by traffic, and its
 * answers to bad requests.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsTest {
    private static final Pattern URL = Pattern.compile("; metrics http://(\\S+):(\\d+)/metrics$");
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\""
                    + "(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\")*)?\\})? "
                    + "(-?[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|NaN|[+-]Inf)");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)");
    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*");

    private static UloopServer server;
    private static InetSocketAddress metrics;

    @BeforeAll
    @Timeout(value = 6, unit = TimeUnit.MINUTES)   // bin/uloop may have to build first
    static void start() throws IOException {
        server = UloopServer.start("echo", "--port", "0", "--metrics", "127.0.0.1:0");
        Matcher m = URL.matcher(server.readyLine());
        assertTrue(m.find(), server.readyLine());
        metrics = new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
    }

    @AfterAll
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + metrics.getPort() + path;
    }

    /** {@code curl -s -i --max-time 10 ARGS...}: status line, headers and body. */
    private static String curl(String... args) {
        java.util.List<String> cmd = new java.util.ArrayList<>(
                java.util.List.of(Exec.peer("curl", "curl"), "-s", "-i", "--max-time", "10"));
        cmd.addAll(java.util.List.of(args));
        Exec.Result r = Exec.run(Duration.ofSeconds(15), null, cmd);
        assertEquals(0, r.exit(), r::describe);
        return r.text();
    }

    private static String body(String response) {
        int i = response.indexOf("\r\n\r\n");
        assertTrue(i > 0, response);
        return response.substring(i + 4);
    }

    /**
     * Parses the text format strictly: every line is blank, a comment or a sample; every
     * sample's metric has a TYPE line before it (its own name, or the name less
     * {@code _total}/{@code _count}/{@code _sum}/{@code _bucket}); no metric is typed twice;
     * no sample repeats the same labels.
     *
     * @return each sample, {@code name{labels}} to value
     */
    static Map<String, Double> parse(String text) {
        assertTrue(text.endsWith("\n"), "the text ends with a line feed");
        Set<String> typed = new HashSet<>();
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                Matcher t = TYPE.matcher(line);
                if (t.matches()) {
                    assertTrue(typed.add(t.group(1)), "typed twice: " + line);
                } else if (line.startsWith("# TYPE") || line.startsWith("# HELP")) {
                    assertTrue(HELP.matcher(line).matches(), "bad HELP/TYPE line: " + line);
                }
                continue;
            }
            Matcher s = SAMPLE.matcher(line);
            assertTrue(s.matches(), "not a sample line: '" + line + "'");
            String name = s.group(1);
            assertTrue(typed.contains(name) || typed.contains(name.replaceAll("_(sum|count|bucket)$", "")),
                    "no TYPE before " + line);
            String key = name + (s.group(2) == null ? "" : s.group(2));
            assertTrue(samples.put(key, Double.parseDouble(s.group(3).replace("Inf", "Infinity"))) == null,
                    "sample repeated: " + line);
        }
        return samples;
    }

    private static Map<String, Double> scrape() {
        String r = curl(url("/metrics"));
        assertTrue(r.startsWith("HTTP/1.1 200 OK\r\n"), r);
        assertTrue(r.contains("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), r);
        return parse(body(r));
    }

    @Test
    void curlGetsTheMetricsInTheTextFormat() throws Exception {
        Map<String, Double> m = scrape();
        assertEquals(1.0, m.get("uloop_loops"));
        assertEquals(1.0, m.get("uloop_info{service=\"echo\",backend=\"" + server.readyLine()
                .replaceAll(".*\\(backend (\\S+?)\\).*", "$1") + "\"}"), m.toString());
        for (String name : new String[] {"uloop_loop_iterations_total{loop=\"0\"}", "uloop_loop_busy_seconds_total{loop=\"0\"}",
                "uloop_loop_wait_seconds_total{loop=\"0\"}", "uloop_loop_lag_seconds{loop=\"0\",quantile=\"0.99\"}",
                "uloop_loop_spin_seconds_total{loop=\"0\"}", "uloop_loop_spin_polls_total{loop=\"0\"}",
                "uloop_tcp_connections_open", "uloop_udp_datagrams_dropped_total{reason=\"rate\"}"}) {
            assertTrue(m.containsKey(name), name + " missing from " + m.keySet());
        }
        pythonParserAccepts(body(curl(url("/metrics"))));
    }

    /** The Prometheus Python client's own parser, when Debian's python3-prometheus-client is there. */
    private static void pythonParserAccepts(String text) throws IOException {
        String python = "/usr/bin/python3";
        if (!Files.isExecutable(java.nio.file.Path.of(python))
                || Exec.run(Duration.ofSeconds(20), null, python, "-c", "import prometheus_client.parser").exit() != 0) {
            System.err.println("python3-prometheus-client not installed; the strict parser alone checked the text");
            return;
        }
        Exec.Result r = Exec.run(Duration.ofSeconds(20), text.getBytes(StandardCharsets.UTF_8), python, "-c",
                "import sys\nfrom prometheus_client.parser import text_string_to_metric_families as p\n"
                        + "n = sum(len(f.samples) for f in p(sys.stdin.read()))\nprint(n)");
        assertEquals(0, r.exit(), r::describe);
        assertTrue(Integer.parseInt(r.text().trim()) > 20, r.text());
    }

    @Test
    void countersMoveAfterTraffic() throws Exception {
        Map<String, Double> before = scrape();
        byte[] data = "metrics, please\n".getBytes(StandardCharsets.UTF_8);
        Exec.Result tcp = Peers.ok(Peers.socatTcp(server.tcp(), data, Duration.ofSeconds(15)));
        assertEquals("metrics, please\n", tcp.text());
        Peers.ok(Peers.socatUdp(server.udp(), data, 1, Duration.ofSeconds(5)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Map<String, Double> after;
        do {
            after = scrape();
        } while (after.get("uloop_udp_datagrams_answered_total") <= before.get("uloop_udp_datagrams_answered_total")
                && System.nanoTime() < deadline);
        String accepted = "uloop_tcp_connections_accepted_total{loop=\"0\"}";
        assertTrue(after.get(accepted) >= before.get(accepted) + 1, after.get(accepted) + " accepted");
        for (String bytes : List.of("uloop_tcp_received_bytes_total", "uloop_tcp_written_bytes_total")) {
            assertTrue(after.get(bytes) >= before.get(bytes) + data.length, bytes + ": " + after.get(bytes));
        }
        assertTrue(after.get("uloop_udp_datagrams_answered_total") >= before.get("uloop_udp_datagrams_answered_total") + 1);
        assertTrue(after.get("uloop_udp_datagrams_received_total") >= before.get("uloop_udp_datagrams_received_total") + 1);
        String iterations = "uloop_loop_iterations_total{loop=\"0\"}";
        assertTrue(after.get(iterations) > before.get(iterations));
        String busy = "uloop_loop_busy_seconds_total{loop=\"0\"}";
        assertTrue(after.get(busy) > before.get(busy));
    }

    @Test
    void theLagProbeMeasuresAnEchoLoopWithoutTimersOfItsOwn() {
        String samples = "uloop_loop_lag_samples{loop=\"0\"}";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Map<String, Double> m = scrape();
        while (m.get(samples) < 1 && System.nanoTime() < deadline) {
            m = scrape();
        }
        assertTrue(m.get(samples) >= 1, m.toString());
        double p50 = m.get("uloop_loop_lag_seconds{loop=\"0\",quantile=\"0.5\"}");
        double max = m.get("uloop_loop_lag_seconds{loop=\"0\",quantile=\"1\"}");
        assertTrue(p50 >= 0 && p50 <= max && max < 10, m.toString());
    }

    @Test
    void unixSocketsHaveTheirCounters() throws IOException {
        String name = "uloop-metrics-test-" + ProcessHandle.current().pid();
        UloopServer unix = UloopServer.start("echo", "--unix", "@" + name, "--metrics", "127.0.0.1:0");
        try {
            Matcher m = URL.matcher(unix.readyLine());
            assertTrue(m.find(), unix.readyLine());
            String at = "http://127.0.0.1:" + m.group(2) + "/metrics";
            Exec.Result r = Exec.run(Duration.ofSeconds(15), "hi\n".getBytes(StandardCharsets.UTF_8),
                    Peers.socat(), "-t", "2", "-", "ABSTRACT-CONNECT:" + name);
            assertEquals("hi\n", r.text(), r::describe);
            Map<String, Double> after = parse(body(curl(at)));
            assertEquals(1.0, after.get("uloop_unix_connections_accepted_total"), after.toString());
            assertTrue(after.containsKey("uloop_loop_lag_samples{loop=\"0\"}"), after.toString());
        } finally {
            unix.close();
        }
    }

    @Test
    void refusalsAndIdleClosesAreCounted() throws IOException {
        UloopServer limited = UloopServer.start("echo", "--port", "0", "--tcp", "--max-connections", "1",
                "--idle-timeout", "1s", "--metrics", "127.0.0.1:0");
        try (Socket held = new Socket()) {
            Matcher m = URL.matcher(limited.readyLine());
            assertTrue(m.find(), limited.readyLine());
            String at = "http://127.0.0.1:" + m.group(2) + "/metrics";
            assertEquals(0.0, parse(body(curl(at))).get("uloop_tcp_connections_refused_total{reason=\"max_connections\"}"));
            held.connect(limited.tcp(), 5_000);
            held.setSoTimeout(15_000);
            String refused = "uloop_tcp_connections_refused_total{reason=\"max_connections\"}";
            String idle = "uloop_tcp_connections_idle_closed_total";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            Map<String, Double> after = parse(body(curl(at)));
            while (after.get(refused) < 1 && System.nanoTime() < deadline) {
                try (Socket second = new Socket()) {
                    second.connect(limited.tcp(), 5_000);
                    second.setSoTimeout(5_000);
                    second.getInputStream().read();             // refused: closed (or reset) at once
                } catch (java.net.SocketException e) {
                    // A reset is a refusal too.
                }
                after = parse(body(curl(at)));
            }
            assertTrue(after.get(refused) >= 1, after.toString());
            assertEquals(-1, held.getInputStream().read(), "the idle connection is closed");
            do {
                after = parse(body(curl(at)));
            } while (after.get(idle) < 1 && System.nanoTime() < deadline);
            assertEquals(1.0, after.get(idle), after.toString());
        } finally {
            limited.close();
        }
    }

    @Test
    void otherPathsAndMethodsGet404() {
        String other = curl(url("/"));
        assertTrue(other.startsWith("HTTP/1.1 404 Not Found\r\n"), other);
        String post = curl("-X", "POST", "--data", "x=1", url("/metrics"));
        assertTrue(post.startsWith("HTTP/1.1 404 Not Found\r\n"), post);
        String query = curl(url("/metrics?name=uloop"));
        assertTrue(query.startsWith("HTTP/1.1 200 OK\r\n"), query);
    }

    @Test
    void badRequestsGet400() throws IOException {
        assertTrue(raw("hello\r\n\r\n").startsWith("HTTP/1.1 400 Bad Request\r\n"));
        assertTrue(raw("GET /metrics HTTP/2.0\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(raw("GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(rawThenEof("GET /metr").startsWith("HTTP/1.1 400 "));
    }

    @Test
    void anOversizedRequestGets431() throws IOException {
        String big = "GET /metrics HTTP/1.1\r\nX-Filler: " + "a".repeat(9000) + "\r\n\r\n";
        assertTrue(raw(big).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
    }

    @Test
    void aSilentClientIsAnsweredAndClosedAfterTheTimeout() throws IOException {
        long t0 = System.nanoTime();
        String r = raw("GET /metrics HTTP/1.1\r\n");         // never ends its headers
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(r.startsWith("HTTP/1.1 408 Request Timeout\r\n"), r);
        assertTrue(took >= 4_000 && took < 15_000, took + " ms");
    }

    /** Sends {@code request} on a plain socket and reads until the server closes (15 s at most). */
    private static String raw(String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(metrics, 5_000);
            s.setSoTimeout(15_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return readAll(s.getInputStream());
        }
    }

    private static String rawThenEof(String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(metrics, 5_000);
            s.setSoTimeout(15_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.shutdownOutput();
            return readAll(s.getInputStream());
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketException e) {
            if (out.size() == 0) {
                fail("no answer before " + e);
            }
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
