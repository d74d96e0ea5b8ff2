package dev.uloop.services;

/**
 * The Unix domain sockets a service is served on, beside or instead of TCP and UDP: a stream
 * socket (echo, daytime and time as over TCP) and a datagram socket (as over UDP), each a
 * file-system path or, written {@code @name}, a Linux abstract name.
 *
 * @param stream   where to serve the stream service, or null
 * @param datagram where to serve the datagram service, or null
 * @param mode     the permission bits of the socket files (who may connect or send)
 */
public record UnixConfig(String stream, String datagram, int mode) {
    /** The default mode of the socket files: the owner and its group may connect. */
    public static final int DEFAULT_MODE = 0660;
    /** No Unix sockets. */
    public static final UnixConfig NONE = new UnixConfig(null, null, DEFAULT_MODE);

    /**
     * Checks the mode.
     *
     * @throws IllegalArgumentException for a mode outside 0 to 0777, or an empty path
     */
    public UnixConfig {
        if (mode < 0 || mode > 0777) {
            throw new IllegalArgumentException("mode 0" + Integer.toOctalString(mode) + " is not 0 to 0777");
        }
        if ("".equals(stream) || "".equals(datagram)) {
            throw new IllegalArgumentException("empty Unix socket path");
        }
    }

    /**
     * Whether any Unix socket is asked for.
     *
     * @return true with a stream or a datagram socket
     */
    public boolean any() {
        return stream != null || datagram != null;
    }

    /**
     * The Unix sockets of the command line's {@code --unix}, {@code --unix-datagram} and
     * {@code --unix-mode}.
     *
     * @param stream   the stream socket's path ({@code @name}: abstract), or null
     * @param datagram the datagram socket's path, or null
     * @param mode     the files' mode in octal ({@code 0660}), or null for {@link #DEFAULT_MODE}
     * @return the settings
     * @throws IllegalArgumentException with a message for the user: a path that does not fit
     *                                  in {@code sun_path}, one path for both, a bad mode
     */
    public static UnixConfig parse(String stream, String datagram, String mode) {
        check("--unix", stream);
        check("--unix-datagram", datagram);
        if (stream != null && stream.equals(datagram)) {
            throw new IllegalArgumentException("--unix and --unix-datagram need two paths, not one: " + stream);
        }
        int m = DEFAULT_MODE;
        if (mode != null) {
            try {
                m = mode.startsWith("+") || mode.startsWith("-") ? -1 : Integer.parseInt(mode, 8);
            } catch (NumberFormatException e) {
                m = -1;
            }
            if (m < 0 || m > 0777) {
                throw new IllegalArgumentException("--unix-mode takes an octal mode from 0 to 0777, such as 0660, not '"
                        + mode + "'");
            }
        }
        return new UnixConfig(stream, datagram, m);
    }

    private static void check(String option, String path) {
        if (path == null) {
            return;
        }
        int bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length - (path.startsWith("@") ? 1 : 0);
        if (bytes < 1 || bytes > 107) {
            throw new IllegalArgumentException(option + " takes a path of 1 to 107 bytes (sun_path holds 108 with"
                    + " its NUL), not " + bytes + (bytes > 0 ? ": " + path : ""));
        }
    }
}
