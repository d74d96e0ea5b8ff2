package dev.uloop.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad usage through the real {@code bin/uloop}: an unknown example, service or option is
 * one {@code uloop: } line, one line pointing at the command's --help, and exit status 2.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UsageTest {
    @BeforeAll
    @Timeout(value = 6, unit = TimeUnit.MINUTES)   // bin/uloop may have to build first
    static void build() {
        UloopServer.ensureBuilt();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            example nosuch       | example | unknown example 'nosuch'; choose udp-time, tcp-time, echo, blocking-time, pipe-events or group-echo
            serve nosuch         | serve   | unknown service 'nosuch'; choose echo, daytime, time or sntp
            client nosuch        | client  | unknown service 'nosuch'; choose echo, daytime, time or sntp
            serve echo --nosuch  | serve   | unknown option '--nosuch'
            """)
    void badUsageIsTwoLinesAndExitStatusTwo(String args, String command, String message) {
        List<String> cmd = new ArrayList<>(List.of(UloopServer.ROOT.resolve("bin/uloop").toString()));
        cmd.addAll(List.of(args.split(" ")));
        Exec.Result r = Exec.run(Duration.ofSeconds(45), null, cmd);
        assertFalse(r.timedOut(), r::describe);
        assertEquals(2, r.exit(), r::describe);
        assertEquals("", r.text(), r::describe);
        assertEquals(List.of("uloop: " + message, "Try 'uloop " + command + " --help'."), ErrorsTest.errorLines(r),
                r::describe);
    }
}
