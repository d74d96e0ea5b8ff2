package dev.uloop.it;

import dev.uloop.it.UloopServer.Mode;
import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** One {@code uloop serve} process per mode, started together and stopped together. */
final class ServerSet implements AutoCloseable {
    private final Map<Mode, UloopServer> byMode = new EnumMap<>(Mode.class);
    private final List<UloopServer> all;

    private ServerSet(List<Mode> modes, List<UloopServer> servers) {
        this.all = servers;
        for (int i = 0; i < modes.size(); i++) {
            byMode.put(modes.get(i), servers.get(i));
        }
    }

    /** Starts {@code service} in each mode (extra arguments go to every server) and waits until all are ready. */
    static ServerSet start(String service, List<Mode> modes, String... extra) throws IOException {
        List<Mode> runnable = Mode.availableOf(modes);
        return new ServerSet(runnable, UloopServer.startAll(service, runnable, extra));
    }

    /** The server running in {@code mode}. */
    UloopServer get(Mode mode) {
        mode.assumeAvailable();
        return byMode.get(mode);
    }

    /** Stops every server (SIGTERM) and checks each exit. */
    @Override
    public void close() {
        UloopServer.closeAll(all);
    }
}
