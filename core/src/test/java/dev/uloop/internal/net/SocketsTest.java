package dev.uloop.internal.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.uloop.internal.posix.Errno;
import java.net.BindException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Bind failures become messages a person can act on (root cannot see EACCES, so they are checked here). */
class SocketsTest {
    private static final InetSocketAddress ADDR = new InetSocketAddress("127.0.0.1", 37);

    @Test
    void privilegedPort() {
        BindException e = assertInstanceOf(BindException.class, Sockets.bindError(Errno.EACCES, ADDR));
        assertEquals("binding 127.0.0.1:37 needs root or CAP_NET_BIND_SERVICE (ports below 1024 are privileged)",
                e.getMessage());
    }

    @Test
    void busyPort() {
        assertEquals("127.0.0.1:37 is already in use", Sockets.bindError(Errno.EADDRINUSE, ADDR).getMessage());
    }

    @Test
    void otherErrorsNameTheCall() {
        assertEquals("bind(127.0.0.1:37): EINVAL (Invalid argument)",
                Sockets.bindError(Errno.EINVAL, ADDR).getCause().getMessage());
    }
}
