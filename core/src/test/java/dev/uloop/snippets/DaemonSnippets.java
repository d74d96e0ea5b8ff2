package dev.uloop.snippets;

import dev.uloop.EventLoop;
import dev.uloop.daemon.Privileges;
import dev.uloop.daemon.SocketActivation;
import dev.uloop.daemon.SystemdNotifier;
import dev.uloop.net.InheritedSocket;
import dev.uloop.net.Protocols;
import dev.uloop.net.SocketOptions;
import dev.uloop.net.Tcp;
import dev.uloop.net.TcpServer;
import dev.uloop.net.UdpEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The examples in the Javadoc of {@code dev.uloop.daemon}, as code the test build compiles
 * (see {@link LoopSnippets}).
 */
final class DaemonSnippets {
    private DaemonSnippets() {}

    static void privileges(EventLoop loop) throws IOException {
        // @start region="privileges"
        Privileges.Identity nobody = Privileges.lookup("nobody", null);   // unknown user: fails before binding
        TcpServer.listen(loop, new InetSocketAddress("0.0.0.0", 13), Protocols.onConnect(t -> {
            t.write((java.time.ZonedDateTime.now() + "\r\n").getBytes());    // daytime, a privileged port
            t.close();
        }));
        Privileges.drop(nobody);          // root no more, every thread; throws if any step fails
        loop.run();
        // @end
    }

    static void inherited(EventLoop loop) throws IOException {
        // @start region="inherited"
        InheritedSocket in = InheritedSocket.standardInput();   // inetd: the client's connection
        Tcp.adopt(loop, in, Protocols.onData((t, data) -> t.write(data)).get());   // echo it
        loop.run();
        // @end
    }

    static void activation(EventLoop loop) throws IOException {
        // @start region="activation"
        for (InheritedSocket s : SocketActivation.sockets()) {  // empty unless systemd started us
            if (s.isTcp()) {
                TcpServer.adopt(loop, s, new SocketOptions(), Protocols.onData((t, data) -> t.write(data)));
            } else {
                UdpEndpoint.adopt(loop, s, new SocketOptions(), (data, from) -> { });
            }
        }
        // @end
    }

    static void notify(EventLoop loop) throws IOException {
        // @start region="notify"
        Optional<SystemdNotifier> systemd = SystemdNotifier.fromEnvironment();  // before dropping root
        // ... bind, drop privileges ...
        if (systemd.isPresent()) {
            systemd.get().ready("serving echo on 0.0.0.0:7");
        }
        loop.run();                                                   // until a stop begins, then:
        if (systemd.isPresent()) {
            systemd.get().stopping("stopping");
        }
        // @end
    }
}
