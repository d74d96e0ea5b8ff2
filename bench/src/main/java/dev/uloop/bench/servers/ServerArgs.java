package dev.uloop.bench.servers;

import java.util.Locale;
import java.util.function.Function;

/**
 * The comparison servers' command line: {@code --port P (--tcp|--udp) [--host H]
 * [--transport T]}, and the common main: start, print the ready line, serve until killed.
 */
final class ServerArgs {
    int port = -1;
    Boolean tcp;
    String host = "127.0.0.1";
    String transport;

    private ServerArgs() {}

    static ServerArgs parse(String usage, String[] args) {
        ServerArgs a = new ServerArgs();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--tcp" -> a.tcp = Boolean.TRUE;
                case "--udp" -> a.tcp = Boolean.FALSE;
                case "--port" -> a.port = parsePort(value(args, ++i, arg, usage), usage);
                case "--host" -> a.host = value(args, ++i, arg, usage);
                case "--transport" -> a.transport = value(args, ++i, arg, usage).toLowerCase(Locale.ROOT);
                case "-h", "--help" -> {
                    System.out.println("usage: " + usage);
                    System.exit(0);
                }
                default -> fail("unknown argument '" + arg + "'", usage);
            }
        }
        if (a.port < 0) {
            fail("--port is required (0 picks a free one)", usage);
        }
        if (a.tcp == null) {
            fail("--tcp or --udp is required", usage);
        }
        return a;
    }

    private static String value(String[] args, int i, String option, String usage) {
        if (i >= args.length) {
            fail(option + " needs a value", usage);
        }
        return args[i];
    }

    private static int parsePort(String s, String usage) {
        try {
            int p = Integer.parseInt(s);
            if (p >= 0 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        fail("bad port '" + s + "'", usage);
        return -1;
    }

    private static void fail(String message, String usage) {
        System.err.println(message);
        System.err.println("usage: " + usage);
        System.exit(2);
    }

    /**
     * Starts the server, prints {@code ready: tcp HOST:PORT} (or udp) and serves until the
     * process is killed; a shutdown hook (SIGTERM, SIGINT) closes the server.
     */
    void serve(Function<ServerArgs, EchoServer> factory) throws Exception {
        EchoServer server = factory.apply(this);
        int bound;
        try {
            bound = server.start(port, tcp);
        } catch (Exception e) {
            server.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "echo-server-shutdown"));
        System.out.println("ready: " + (tcp ? "tcp " : "udp ") + host + ":" + bound);
        System.out.flush();
        new java.util.concurrent.CountDownLatch(1).await();   // until killed
    }
}
