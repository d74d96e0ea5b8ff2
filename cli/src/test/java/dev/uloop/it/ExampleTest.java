package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/uloop example udp-time --port 0}: the example's own ready line, the seed's
 * time format asked with {@code nc -u}, then SIGTERM stops it as it stops {@code uloop
 * serve}: a stop line and exit status 0.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)   // bin/uloop may have to build first
class ExampleTest {
    private static final Pattern LISTENING =
            Pattern.compile("udp-time listening on 127\\.0\\.0\\.1:(\\d+) \\(udp\\), backend \\S+");
    /** The seeds' {@code str(datetime.now())}: {@code 2020-06-11 13:52:38.709123}. */
    private static final DateTimeFormatter SEED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final Pattern SEED_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6}");

    @Test
    void udpTimeAnswersInTheSeedFormatAndStopsOnSigterm() throws Exception {
        String nc = Peers.nc();
        UloopServer.ensureBuilt();
        try (Exec.Running example = Exec.start(UloopServer.ROOT.resolve("bin/uloop").toString(),
                "example", "udp-time", "--port", "0")) {
            Matcher ready = example.awaitStdoutLine(LISTENING, Duration.ofSeconds(45));
            assertNotNull(ready, () -> "no ready line: " + example.finish(Duration.ofSeconds(10)).describe());
            String port = ready.group(1);

            Exec.Result answer = Peers.ok(Exec.run(Duration.ofSeconds(10), "hi\n".getBytes(StandardCharsets.US_ASCII),
                    nc, "-u", "-w1", "127.0.0.1", port));
            String time = answer.text().strip();
            assertTrue(SEED_TIME.matcher(time).matches(), () -> "not yyyy-MM-dd HH:mm:ss.SSSSSS: " + answer.describe());
            Peers.assertNearNow(LocalDateTime.parse(time, SEED), 10, "udp-time's answer");

            example.terminate();
            Exec.Result stopped = example.finish(Duration.ofSeconds(20));
            assertFalse(stopped.timedOut(), stopped::describe);
            assertEquals(0, stopped.exit(), stopped::describe);
            UloopServer.assertNoStackTrace(stopped.command(), stopped.err());
            List<String> out = stopped.text().lines().toList();
            assertEquals(List.of(ready.group(), "uloop example udp-time stopped"), out, stopped::describe);
        }
    }
}
