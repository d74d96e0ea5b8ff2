package dev.uloop.snippets;

import dev.uloop.EventLoop;
import dev.uloop.daemon.Privileges;
import dev.uloop.net.Protocols;
import dev.uloop.net.TcpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

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
}
