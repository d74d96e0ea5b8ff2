package dev.uloop.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code uloop serve} as a real process (this JVM's class path, so no rebuild): the ready
 * line, a request over TCP and UDP, then SIGTERM, which must stop it with status 0, one
 * "stopped" line on stderr and no stack trace.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServeProcessTest {
    private static final Pattern TCP = Pattern.compile("tcp (\\S+),");
    private static final Pattern UDP = Pattern.compile("udp (\\S+)");

    private static Process start(String... serveArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                Main.class.getName(), "serve"));
        cmd.addAll(List.of(serveArgs));
        return new ProcessBuilder(cmd).start();
    }

    private static InetSocketAddress address(Pattern p, String line) {
        Matcher m = p.matcher(line);
        assertTrue(m.find(), line);
        String s = m.group(1);
        int colon = s.lastIndexOf(':');
        return new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--backend=epoll", "--backend=select", "--loops=2", "--blocking", "--virtual"})
    void servesUntilSigtermThenExitsWithZero(String mode) throws Exception {
        Process p = mode.equals("--virtual")
                ? start("echo", "--port", "0", "--blocking", "--virtual", "-v")
                : start("echo", "--port", "0", mode, "-v");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            assertNotNull(ready, "no ready line");
            assertTrue(ready.matches("uloop echo ready: tcp 127\\.0\\.0\\.1:\\d+, udp 127\\.0\\.0\\.1:\\d+ \\(.+\\)"), ready);
            byte[] hi = "hi\n".getBytes(StandardCharsets.US_ASCII);
            try (Socket s = new Socket()) {
                s.connect(address(TCP, ready), 5000);
                s.setSoTimeout(5000);
                s.getOutputStream().write(hi);
                s.shutdownOutput();
                assertArrayEquals(hi, s.getInputStream().readAllBytes());
            }
            try (DatagramSocket u = new DatagramSocket()) {
                u.setSoTimeout(5000);
                u.send(new DatagramPacket(hi, hi.length, address(UDP, ready)));
                DatagramPacket back = new DatagramPacket(new byte[16], 16);
                u.receive(back);
                assertEquals(3, back.getLength());
            }
            p.toHandle().destroy();   // SIGTERM (Process.destroy() would also close our end of its pipes)
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "still running 20 s after SIGTERM");
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), err);
            assertEquals(null, out.readLine(), "exactly one line on stdout");
            assertFalse(err.contains("Exception") || err.contains("\tat "), err);
            assertTrue(err.contains(" - DEBUG - echo: connection from 127.0.0.1:"), "-v logs connections:\n" + err);
            List<String> info = err.lines().filter(l -> l.contains(" - INFO - ")).toList();
            assertEquals(1, info.size(), err);
            // With --loops 2 the counters also say what each loop did: tcp: 1 connection (per event loop: 0, 1).
            assertTrue(Pattern.compile(" - uloop\\.serve - INFO - uloop echo stopped; tcp: 1 connection"
                    + "( \\(per event loop: [01], [01]\\))?; udp: 1 answered").matcher(info.get(0)).find(), err);
        } finally {
            p.destroyForcibly();
        }
    }
}
