package dev.uloop.bench.jmh;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs the JMH benchmarks with short defaults ({@code -wi 2 -i 3 -f 1 -w 1s -r 1s}); any
 * JMH argument may be added and overrides the default of the same option. On JDK 24+ the
 * forks also get {@code --sun-misc-unsafe-memory-access=allow} (JMH 1.37 itself uses
 * {@code sun.misc.Unsafe}); a {@code -jvmArgsAppend} given here replaces that default and
 * the benchmarks' own {@code --enable-native-access=ALL-UNNAMED}, so repeat the latter.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'bench/target/uloop-bench-*.jar:bench/target/lib/*' \
 *     dev.uloop.bench.jmh.Jmh PollerBench -p backend=epoll
 * </pre>
 *
 * {@code -h} lists JMH's options, {@code -l} the benchmarks.
 */
public final class Jmh {
    private Jmh() {}

    /** Short defaults: option, value. */
    private static final String[][] DEFAULTS = {
        {"-wi", "2"}, {"-i", "3"}, {"-f", "1"}, {"-w", "1s"}, {"-r", "1s"},
    };

    /**
     * Starts JMH.
     *
     * @param args JMH arguments: benchmark regexps and options
     * @throws Exception whatever JMH throws
     */
    public static void main(String[] args) throws Exception {
        org.openjdk.jmh.Main.main(withDefaults(args, Runtime.version().feature()));
    }

    /** The arguments, preceded by each default whose option they do not set. */
    static String[] withDefaults(String[] args, int javaFeature) {
        List<String> all = new ArrayList<>();
        for (String[] d : DEFAULTS) {
            if (!sets(args, d[0])) {
                all.add(d[0]);
                all.add(d[1]);
            }
        }
        if (javaFeature >= 24 && !sets(args, "-jvmArgsAppend") && !sets(args, "-jvmArgs")) {
            all.add("-jvmArgsAppend");
            all.add("--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow");
        }
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    private static boolean sets(String[] args, String option) {
        for (String a : args) {
            if (a.equals(option) || a.startsWith(option + "=")) {
                return true;
            }
        }
        return false;
    }
}
