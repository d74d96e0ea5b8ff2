package dev.uloop.cli;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code uloop serve --unix, --unix-datagram, --unix-mode}: bad usage exits with 2 and one line, in-process. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServeUnixOptionsTest {

    private static void assertUsage(String message, String... args) {
        ServeCommandTest.assertUsage(message, args);
    }

    @Test
    void theModeIsOctalFromZeroTo0777AndNeedsASocket() {
        for (String bad : List.of("0999", "1000", "rw", "-1", "+660", "")) {
            assertUsage("--unix-mode takes an octal mode from 0 to 0777, such as 0660, not '" + bad + "'",
                    "serve", "echo", "--unix", "x.sock", "--unix-mode", bad);
        }
        assertUsage("--unix-mode needs --unix or --unix-datagram (it is the socket files' mode)",
                "serve", "echo", "--unix-mode", "0600");
    }

    @Test
    void pathsMustFitInSunPath() {
        String p108 = "/" + "p".repeat(107);
        assertUsage("--unix takes a path of 1 to 107 bytes (sun_path holds 108 with its NUL), not 108: " + p108,
                "serve", "echo", "--unix", p108);
        assertUsage("--unix-datagram takes a path of 1 to 107 bytes (sun_path holds 108 with its NUL), not 0",
                "serve", "echo", "--unix-datagram", "@");
        assertUsage("--unix and --unix-datagram need two paths, not one: same.sock",
                "serve", "echo", "--unix", "same.sock", "--unix-datagram", "same.sock");
    }

    @Test
    void conflictsAreNamed() {
        assertUsage("--unix does not apply to sntp, which is served over UDP only", "serve", "sntp", "--unix", "s");
        assertUsage("--unix and --blocking conflict: Unix sockets are served on the event loop",
                "serve", "echo", "--unix", "e.sock", "--blocking");
        assertUsage("--unix-datagram and --inetd conflict: Unix sockets are served on the event loop",
                "serve", "echo", "--unix-datagram", "e.dgram", "--inetd");
        assertUsage("--port applies to TCP and UDP, which --unix alone does not serve; add --tcp or --udp to serve"
                + " them too", "serve", "daytime", "--unix", "d.sock", "--port", "7013");
    }
}
