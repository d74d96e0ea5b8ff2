package dev.uloop.services;

import java.util.regex.Pattern;

/**
 * Writes the Prometheus text exposition format, version 0.0.4: for each metric a
 * {@code # HELP} and a {@code # TYPE} line, then its samples, {@code name{label="value"} 12}.
 * Label values are escaped (backslash, double quote, line feed); names are checked.
 */
final class PrometheusText {
    /** The Content-Type of this format. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final StringBuilder out = new StringBuilder(4096);

    /**
     * Starts a metric: its HELP and TYPE lines.
     *
     * @param name a metric name (counters end in {@code _total})
     * @param type {@code counter} or {@code gauge}
     * @param help one line
     * @return this
     */
    PrometheusText metric(String name, String type, String help) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad metric name " + name);
        }
        out.append("# HELP ").append(name).append(' ')
                .append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /**
     * A sample without labels.
     *
     * @param name  the metric's name
     * @param value its value
     * @return this
     */
    PrometheusText sample(String name, double value) {
        out.append(name).append(' ');
        return value(value);
    }

    /**
     * A sample with labels.
     *
     * @param name   the metric's name
     * @param value  its value
     * @param labels label names and values, alternating
     * @return this
     */
    PrometheusText sample(String name, double value, String... labels) {
        out.append(name).append('{');
        for (int i = 0; i < labels.length; i += 2) {
            if (!LABEL.matcher(labels[i]).matches()) {
                throw new IllegalArgumentException("bad label name " + labels[i]);
            }
            out.append(i == 0 ? "" : ",").append(labels[i]).append("=\"")
                    .append(labels[i + 1].replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                    .append('"');
        }
        out.append("} ");
        return value(value);
    }

    private PrometheusText value(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            out.append((long) v);
        } else {
            out.append(v);
        }
        out.append('\n');
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
