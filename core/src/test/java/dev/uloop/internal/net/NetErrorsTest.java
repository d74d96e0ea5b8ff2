package dev.uloop.internal.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.uloop.NativeException;
import dev.uloop.internal.posix.Errno;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/** Network failures become the java.net exception a Java programmer expects, with the errno kept as the cause. */
class NetErrorsTest {
    private static final InetSocketAddress TO = new InetSocketAddress("192.0.2.7", 7);

    @Test
    void connectFailuresByErrno() {
        assertInstanceOf(ConnectException.class, NetErrors.connectFailed(TO, Errno.ECONNREFUSED));
        assertInstanceOf(ConnectException.class, NetErrors.connectFailed(TO, Errno.ETIMEDOUT));
        IOException unreachable = NetErrors.connectFailed(TO, Errno.EHOSTUNREACH);
        assertInstanceOf(NoRouteToHostException.class, unreachable);
        assertEquals("connect(192.0.2.7:7): EHOSTUNREACH (No route to host)", unreachable.getMessage());
        assertEquals(Errno.EHOSTUNREACH, assertInstanceOf(NativeException.class, unreachable.getCause()).errno());
        assertInstanceOf(NoRouteToHostException.class, NetErrors.connectFailed(TO, Errno.ENETUNREACH));
        IOException other = NetErrors.connectFailed(TO, Errno.EACCES);
        assertEquals(SocketException.class, other.getClass());
    }

    @Test
    void aLostConnectionNamesThePeerNotTheDescriptor() {
        SocketException e = NetErrors.connectionFailed(new NativeException("recv(fd=12)", Errno.ECONNRESET), TO);
        assertEquals("recv(192.0.2.7:7): ECONNRESET (Connection reset by peer)", e.getMessage());
        assertEquals(Errno.ECONNRESET, ((NativeException) e.getCause()).errno());
    }

    @Test
    void aRefusedDatagramIsAPortUnreachableException() {
        SocketException e = NetErrors.datagramError(new NativeException("recvfrom(fd=9)", Errno.ECONNREFUSED), TO);
        assertInstanceOf(PortUnreachableException.class, e);
        assertEquals(SocketException.class,
                NetErrors.datagramError(new NativeException("recvfrom(fd=9)", Errno.EMSGSIZE), TO).getClass());
    }
}
