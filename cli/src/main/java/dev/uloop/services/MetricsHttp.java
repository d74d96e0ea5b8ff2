package dev.uloop.services;

import dev.uloop.Timer;
import dev.uloop.net.Protocol;
import dev.uloop.net.Transport;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A small HTTP/1.1 responder that answers only {@code GET /metrics}, for the metrics
 * endpoint of {@code uloop serve}: one request per connection, answered with
 * {@code Connection: close}.
 *
 * <ul>
 * <li>{@code GET /metrics} (a query string is ignored): 200 with the metrics, in the
 *     Prometheus text format;</li>
 * <li>any other method or path: 404;</li>
 * <li>a request line or header that is not HTTP/1.x, or a connection closed before the
 *     end of the headers: 400;</li>
 * <li>headers over {@value #MAX_REQUEST} bytes: 431;</li>
 * <li>no complete request within {@link #TIMEOUT} of the connection: 408, then the
 *     connection is closed (a slow or idle client holds nothing for long).</li>
 * </ul>
 * A request body is not read: a GET has none, and anything else gets 404 at once.
 */
final class MetricsHttp implements Protocol {
    /** The largest request head (request line and headers) read. */
    static final int MAX_REQUEST = 8192;
    /** How long a client has to send its request. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Supplier<String> metrics;
    private final ByteArrayOutputStream head = new ByteArrayOutputStream(256);
    private Transport transport;
    private Timer timeout;
    private boolean answered;

    /**
     * A responder for one connection.
     *
     * @param metrics makes the metrics text, on the loop thread
     */
    MetricsHttp(Supplier<String> metrics) {
        this.metrics = metrics;
    }

    @Override
    public void connectionMade(Transport t) {
        transport = t;
        timeout = t.loop().after(TIMEOUT, () -> respond(408, "Request Timeout", "no complete request in "
                + TIMEOUT.toSeconds() + " s\n"));
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        if (answered) {
            return;
        }
        int room = MAX_REQUEST - head.size();
        int n = Math.min(room, data.remaining());
        byte[] chunk = new byte[n];
        data.get(chunk);
        head.write(chunk, 0, n);
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            end = text.indexOf("\n\n");
        }
        if (end >= 0) {
            handle(text.substring(0, end));
        } else if (head.size() >= MAX_REQUEST) {
            respond(431, "Request Header Fields Too Large", "request head over " + MAX_REQUEST + " bytes\n");
        }
    }

    private void handle(String request) {
        String[] lines = request.split("\r?\n");
        String[] parts = lines[0].split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || !parts[1].startsWith("/")
                || !parts[2].matches("HTTP/1\\.[01]")) {
            respond(400, "Bad Request", "not an HTTP/1.x request line\n");
            return;
        }
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0 || lines[i].charAt(0) == ' ' || lines[i].charAt(0) == '\t') {
                respond(400, "Bad Request", "malformed header line\n");
                return;
            }
        }
        int query = parts[1].indexOf('?');
        String path = query < 0 ? parts[1] : parts[1].substring(0, query);
        if (!parts[0].equals("GET") || !path.equals("/metrics")) {
            respond(404, "Not Found", "only GET /metrics is served here\n");
            return;
        }
        respond(200, "OK", metrics.get());
    }

    @Override
    public boolean eofReceived() {
        if (!answered) {
            respond(400, "Bad Request", "the connection closed before the end of the request\n");
        }
        return true;          // respond() closes once the answer is sent
    }

    @Override
    public void connectionLost(Throwable cause) {
        answered = true;
        if (timeout != null) {
            timeout.cancel();
        }
    }

    private void respond(int status, String reason, String body) {
        if (answered) {
            return;
        }
        answered = true;
        timeout.cancel();
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String type = status == 200 ? PrometheusText.CONTENT_TYPE : "text/plain; charset=utf-8";
        String headers = "HTTP/1.1 " + status + " " + reason + "\r\n"
                + "Content-Type: " + type + "\r\n"
                + "Content-Length: " + content.length + "\r\n"
                + "Connection: close\r\n\r\n";
        transport.write(headers.getBytes(StandardCharsets.ISO_8859_1));
        transport.write(content);
        transport.close();
    }
}
