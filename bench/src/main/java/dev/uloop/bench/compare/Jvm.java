package dev.uloop.bench.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small helpers around the JDK's tools. */
final class Jvm {
    private Jvm() {}

    /** The java launcher of the JDK this program runs on. */
    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** Its jcmd. */
    static Path jcmd() {
        return Path.of(System.getProperty("java.home"), "bin", "jcmd");
    }

    /** The feature version (22, 25...) of a java launcher; the running one's when it is ours. */
    static int featureVersion(Path java) {
        if (java.equals(java())) {
            return Runtime.version().feature();
        }
        try {
            String out = run(List.of(java.toString(), "-version"), 20);
            Matcher m = Pattern.compile("version \"(\\d+)").matcher(out);
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * {@code jcmd PID command...}.
     *
     * @return its output
     * @throws IOException when it fails or times out
     */
    static String jcmd(long pid, String... command) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(jcmd().toString(), Long.toString(pid)));
        cmd.addAll(List.of(command));
        return run(cmd, 60);
    }

    /** Runs a command, returns stdout and stderr together; fails on a non-zero exit or after the timeout. */
    static String run(List<String> command, int timeoutSeconds) throws IOException {
        Path out = Files.createTempFile("uloop-compare-cmd", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            try {
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(String.join(" ", command) + ": timed out after " + timeoutSeconds + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                throw new IOException("interrupted", e);
            }
            String s = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + ": " + s.strip());
            }
            return s;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
