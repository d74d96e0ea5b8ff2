package dev.uloop.internal.net;

import dev.uloop.Events;
import dev.uloop.NativeException;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/** Waiting for a connect in progress, on every backend by readiness: the socket turns writable when it is done. */
public final class Connects {
    private Connects() {}

    /**
     * Waits until the connect of {@code socket} to {@code to} is over, then calls
     * {@code done} on the loop's thread, with null when connected or with the failure
     * ({@code connect(fd=9, 127.0.0.1:7): ECONNREFUSED (Connection refused)}).
     *
     * @return what stops waiting (the socket is left to the caller)
     */
    public static Runnable await(Reactor loop, NativeSocket socket, InetSocketAddress to,
                                 Consumer<NativeException> done) {
        int fd = socket.fd();
        loop.add(fd, Events.OUT, (f, ev) -> {
            loop.remove(fd);
            NativeException failure = null;
            try {
                socket.finishConnect(to);
            } catch (NativeException e) {
                failure = e;
            }
            done.accept(failure);
        });
        return () -> loop.remove(fd);
    }
}
