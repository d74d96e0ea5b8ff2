package dev.uloop.cli;

import dev.uloop.net.Addresses;
import dev.uloop.services.Rfc868;
import dev.uloop.services.Service;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code uloop client echo|daytime|time|sntp}: asks a server, with plain blocking JDK
 * sockets, and prints the answer. Works against any RFC 862/867/868 or SNTP server, not
 * only uloop's.
 */
@Command(name = "client", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Asks an echo, daytime, time or SNTP server and prints the answer.",
            "echo: sends MESSAGE (default: hello) and prints the reply; exit 1 if it differs.",
            "daytime: prints the line. time: prints the time as an ISO-8601 UTC instant and",
            "its offset from the local clock in seconds.",
            "sntp: asks --count times over UDP and prints, per reply, the server's time, the",
            "offset of the server's clock from the local one and the round-trip delay in",
            "seconds, like ntpdate -q:",
            "  2026-11-23 15:30:02.240403 UTC server 127.0.0.1 port 123, stratum 10,",
            "  refid 127.127.1.1, offset -0.000032, delay 0.000114",
            "then, for several replies, medians and the server's processing time (t3 - t2);",
            "exit 1 when no usable reply came or the server sent a kiss-o'-death."})
final class ClientCommand implements Callable<Integer> {
    private static final int MAX_REPLY = 16 * 1024 * 1024;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "echo, daytime, time or sntp.")
    String serviceName;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "MESSAGE",
            description = "echo: what to send, words joined by spaces (default: hello). daytime, time over UDP:"
                    + " the request datagram (default: empty).")
    List<String> message;

    @Option(names = "--host", paramLabel = "H", defaultValue = "127.0.0.1", description = "Server address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", paramLabel = "P",
            description = "Server port (default: echo 7007, daytime 7013, time 7037, sntp 123).")
    Integer port;

    @Option(names = "--udp", description = "Ask over UDP (default: TCP; sntp is always UDP).")
    boolean udp;

    @Option(names = "--unix", paramLabel = "PATH", description = "echo, daytime, time: ask the server on the Unix"
            + " stream socket at PATH (@NAME: a Linux abstract name) instead of TCP, as `uloop serve --unix` serves.")
    String unixPath;

    @Option(names = "--count", paramLabel = "N", defaultValue = "1",
            description = "sntp: how many requests to send, one after the other (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--ntp-version", paramLabel = "V", defaultValue = "4",
            description = "sntp: the NTP version to ask with, 1 to 4 (default: ${DEFAULT-VALUE}).")
    int ntpVersion;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "5000",
            description = "Give up after this long without an answer (default: ${DEFAULT-VALUE}).")
    int timeoutMillis;

    @Override
    public Integer call() throws IOException {
        Service service;
        try {
            service = Service.parse(serviceName);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        int p = port != null ? port : service.defaultPort();
        Ports.check(spec, p);
        if (p == 0) {
            throw new ParameterException(spec.commandLine(), "a client needs a port from 1 to 65535");
        }
        if (timeoutMillis <= 0) {
            throw new ParameterException(spec.commandLine(), "--timeout must be a positive number of milliseconds");
        }
        InetSocketAddress server = new InetSocketAddress(host, p);
        if (server.isUnresolved()) {
            throw new IOException("cannot resolve host '" + host + "'");
        }
        if (unixPath != null && (service == Service.SNTP || udp || spec.commandLine().getParseResult()
                .hasMatchedOption("--host") || port != null)) {
            throw new ParameterException(spec.commandLine(), "--unix asks echo, daytime or time on a Unix socket;"
                    + " it conflicts with " + (service == Service.SNTP ? "sntp" : udp ? "--udp" : port != null
                    ? "--port" : "--host"));
        }
        if (service == Service.SNTP) {
            if (message != null && !message.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "sntp takes no MESSAGE");
            }
            if (count < 1) {
                throw new ParameterException(spec.commandLine(), "--count must be 1 or more, got " + count);
            }
            if (ntpVersion < 1 || ntpVersion > 4) {
                throw new ParameterException(spec.commandLine(), "--ntp-version must be 1 to 4, got " + ntpVersion);
            }
            return SntpReport.run(server, ntpVersion, timeoutMillis, count, spec.commandLine().getOut());
        }
        String text = message == null || message.isEmpty() ? (service == Service.ECHO ? "hello" : "")
                : String.join(" ", message);
        byte[] request = text.getBytes(StandardCharsets.UTF_8);
        if (unixPath != null) {
            byte[] reply = UnixClient.ask(unixPath, service == Service.ECHO ? request : null,
                    java.time.Duration.ofMillis(timeoutMillis), MAX_REPLY);
            return show(service, request, reply, unixPath + " (unix)");
        }
        byte[] reply = udp ? askUdp(server, request) : askTcp(server, service == Service.ECHO ? request : null);
        return show(service, request, reply, where(server));
    }

    private int show(Service service, byte[] request, byte[] reply, String where) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        switch (service) {
            case ECHO -> {
                out.println(new String(reply, StandardCharsets.UTF_8));
                out.flush();
                if (!Arrays.equals(request, reply)) {
                    throw new IOException("the echo from " + where + " differs from what was sent ("
                            + request.length + " bytes sent, " + reply.length + " received)");
                }
            }
            case DAYTIME -> out.println(new String(reply, StandardCharsets.US_ASCII).stripTrailing());
            case SNTP -> throw new IllegalStateException("sntp is handled by SntpReport");
            case TIME -> {
                if (reply.length != 4) {
                    throw new IOException(where + " sent " + reply.length + " bytes; a time reply has 4");
                }
                Instant local = Instant.now();
                long value = Rfc868.decode(reply);
                Instant t = Rfc868.toInstant(value, local);
                long offset = t.getEpochSecond() - local.getEpochSecond();
                out.printf("%s (%+d s from the local clock)%n", t, offset);
            }
        }
        out.flush();
        return 0;
    }

    /** Connects, sends {@code request} (if any) and half-closes, reads to EOF. */
    private byte[] askTcp(InetSocketAddress server, byte[] request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            if (request != null) {
                s.getOutputStream().write(request);
                s.shutdownOutput();
            }
            return readAll(s.getInputStream());
        } catch (ConnectException e) {
            throw new IOException(where(server) + ": connection refused (is the server running?)", e);
        } catch (SocketTimeoutException e) {
            throw new IOException("no answer from " + where(server) + " within " + timeoutMillis + " ms", e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            all.write(buf, 0, n);
            if (all.size() > MAX_REPLY) {
                throw new IOException("the reply is larger than " + MAX_REPLY + " bytes; giving up");
            }
        }
        return all.toByteArray();
    }

    /** Sends one datagram and waits for one back. */
    private byte[] askUdp(InetSocketAddress server, byte[] request) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            // Connected, an ICMP "port unreachable" is reported; but the JDK sends nothing at
            // all for an empty datagram on a connected socket, so an empty request goes unconnected.
            if (request.length > 0) {
                s.connect(server);
            }
            s.setSoTimeout(timeoutMillis);
            s.send(new DatagramPacket(request, request.length, server));
            byte[] buf = new byte[64 * 1024];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            do {
                s.receive(reply);     // unconnected, skip datagrams from anyone else
            } while (!server.equals(reply.getSocketAddress()));
            return Arrays.copyOf(buf, reply.getLength());
        } catch (PortUnreachableException e) {
            throw new IOException(where(server) + ": port unreachable (is the server running?)", e);
        } catch (SocketTimeoutException e) {
            throw new IOException("no answer from " + where(server) + " within " + timeoutMillis + " ms"
                    + " (is the server running?)", e);
        }
    }

    private String where(InetSocketAddress server) {
        return Addresses.format(server) + (udp ? " (udp)" : " (tcp)");
    }
}
