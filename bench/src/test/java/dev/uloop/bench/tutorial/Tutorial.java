package dev.uloop.bench.tutorial;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runnable blocks of docs/tutorial.md: a fenced {@code sh} block right after a line
 * {@code <!-- run -->} (or {@code <!-- run: io_uring -->}, run only where the kernel has
 * io_uring's completion mode). Each line of a block is a command with an optional trailing
 * comment that says what it does:
 *
 * <ul>
 *   <li>{@code # serves[: TEXT]}: a server, left running until the block ends; its ready
 *       line contains TEXT. {@code # serves, then dies: TEXT}: it must have exited with an
 *       error by the end of the block, TEXT in its output.</li>
 *   <li>a command ending in {@code &}: a client left running in the background until the
 *       block ends (once its connection is established).</li>
 *   <li>{@code # fails...}: exits with an error. Otherwise it must exit 0, and with
 *       {@code # -> TEXT} print TEXT ({@code # -> nothing}: print nothing on stdout),
 *       with {@code # e.g. TEXT} print something of TEXT's shape (its digits may differ).</li>
 * </ul>
 */
record Tutorial(List<Block> blocks, List<String> shellBlocksNotRun, Map<String, Integer> lessonMarkers) {

    /** The marker before a runnable block. */
    private static final Pattern RUN = Pattern.compile("^<!-- run(?:: (\\S+))? -->$");
    /** A command and its comment: the first " # " starts the comment. */
    private static final Pattern LINE = Pattern.compile("^(.*?)(?:\\s+#\\s(.*))?$");
    /** A port in a command: after --port or a loopback address. */
    static final Pattern PORT = Pattern.compile("(?<=--port[ =]|127\\.0\\.0\\.1[ :])(\\d{4,5})\\b");

    /** One runnable block. */
    record Block(String chapter, int number, String requires, List<Step> steps) {
        @Override
        public String toString() {
            return chapter + ", block " + number;
        }

        /** The block with its ports replaced by the free ports of {@code map} (tutorial port to free port). */
        Block withPorts(Map<String, String> map) {
            List<Step> s = steps.stream().map(st -> new Step(replace(st.command(), map), replace(st.comment(), map)))
                    .toList();
            return new Block(chapter, number, requires, s);
        }

        /** The tutorial's ports in this block, each mapped to a free one. */
        Map<String, String> freePorts() throws IOException {
            Map<String, String> map = new LinkedHashMap<>();
            for (Step st : steps) {
                for (String text : List.of(st.command(), st.comment())) {
                    Matcher m = PORT.matcher(text);
                    while (m.find()) {
                        if (!map.containsKey(m.group(1))) {
                            map.put(m.group(1), Integer.toString(freePort()));
                        }
                    }
                }
            }
            return map;
        }

        private static String replace(String text, Map<String, String> map) {
            return PORT.matcher(text).replaceAll(r -> map.getOrDefault(r.group(1), r.group(1)));
        }
    }

    /** One command of a block, and the comment after it (empty when none). */
    record Step(String command, String comment) {
        boolean server() {
            return comment.startsWith("serves");
        }

        boolean dies() {
            return comment.startsWith("serves, then dies");
        }

        boolean background() {
            return command.endsWith("&");
        }

        boolean fails() {
            return comment.startsWith("fails");
        }

        /** What follows {@code serves: }, {@code dies: } or {@code -> }, else null. */
        String expected() {
            for (String key : List.of("serves, then dies: ", "serves: ", "-> ")) {
                if (comment.startsWith(key)) {
                    return comment.substring(key.length()).strip();
                }
            }
            return null;
        }

        /** {@code # e.g. TEXT} as a pattern: TEXT with every digit standing for any digit; else null. */
        Pattern shape() {
            if (!comment.startsWith("e.g. ")) {
                return null;
            }
            StringBuilder sb = new StringBuilder();
            for (char c : comment.substring(5).strip().toCharArray()) {
                sb.append(Character.isDigit(c) ? "\\d" : Pattern.quote(Character.toString(c)));
            }
            return Pattern.compile(sb.toString());
        }

        /** The command without a trailing {@code &}. */
        String bare() {
            return background() ? command.substring(0, command.length() - 1).strip() : command;
        }
    }

    /** Reads the tutorial. */
    static Tutorial read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<Block> blocks = new ArrayList<>();
        List<String> notRun = new ArrayList<>();
        Map<String, Integer> lessons = new LinkedHashMap<>();
        String chapter = "intro";
        int number = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("## ")) {
                chapter = line.substring(3).strip();
                number = 0;
                lessons.putIfAbsent(chapter, 0);
            } else if (line.startsWith("<!-- lesson: ")) {
                lessons.merge(chapter, 1, Integer::sum);
            } else if (line.equals("```sh")) {
                Matcher run = i > 0 ? RUN.matcher(lines.get(i - 1)) : null;
                List<Step> steps = new ArrayList<>();
                int j = i + 1;
                for (; j < lines.size() && !lines.get(j).equals("```"); j++) {
                    String l = lines.get(j).strip();
                    if (l.isEmpty() || l.startsWith("#")) {
                        continue;
                    }
                    Matcher m = LINE.matcher(l);
                    if (!m.matches()) {
                        throw new IllegalStateException("unreadable line: " + l);
                    }
                    steps.add(new Step(m.group(1).strip(), m.group(2) == null ? "" : m.group(2).strip()));
                }
                if (run != null && run.matches()) {
                    blocks.add(new Block(chapter, ++number, run.group(1), steps));
                } else {
                    notRun.add(chapter + ", line " + (i + 1));
                }
                i = j;
            }
        }
        return new Tutorial(blocks, notRun, lessons);
    }

    /** A port free on 127.0.0.1 for TCP and UDP at the moment (the servers bind both). */
    static int freePort() throws IOException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int i = 0; i < 50; i++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, lo)) {
                port = s.getLocalPort();
            }
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(lo, port))) {
                return port;
            } catch (IOException e) {
                // UDP taken on that port: try another.
            }
        }
        throw new IOException("no port free for TCP and UDP on 127.0.0.1");
    }
}
