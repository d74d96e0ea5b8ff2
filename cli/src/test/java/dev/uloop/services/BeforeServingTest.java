package dev.uloop.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Server#start(Runnable)}, where a daemon gives up root: the hook runs on the caller's
 * thread once the ports are bound, and when it fails the server closes every port it bound
 * (the port is free again at once) and the failure reaches the caller.
 */
@Timeout(30)
class BeforeServingTest {
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"EPOLL", "EPOLL_2_LOOPS", "IO_URING_COMPLETION", "PLATFORM"})
    void aFailingHookLeavesNoPortBound(Mode mode) throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        ServiceConfig config = ServiceConfig.of(Service.ECHO).withPort(port);
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        Server s = mode.server(config);
        IllegalStateException failure = new IllegalStateException("cannot switch to nobody");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.start(() -> {
            ranOn.set(Thread.currentThread());
            throw failure;
        }));
        assertSame(failure, e);
        assertEquals(Thread.currentThread(), ranOn.get());
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (ServerSocket tcp = new ServerSocket(); DatagramSocket udp = new DatagramSocket(null)) {
            tcp.bind(at);       // would fail with "Address already in use" if the server kept it
            udp.bind(at);
        }
        s.stop();
    }
}
