package dev.uloop.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Service selection and defaults. */
class ServiceTest {
    @Test
    void defaultPortsAre7000PlusTheRfcPort() {
        assertEquals(7007, Service.ECHO.defaultPort());
        assertEquals(7013, Service.DAYTIME.defaultPort());
        assertEquals(7037, Service.TIME.defaultPort());
        assertEquals(37, Service.TIME.rfcPort());
    }

    @Test
    void namesParse() {
        assertEquals(Service.ECHO, Service.parse("echo"));
        assertEquals(Service.DAYTIME, Service.parse(" Daytime "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Service.parse("chargen"));
        assertEquals("unknown service 'chargen'; choose echo, daytime, time or sntp", e.getMessage());
    }

    @Test
    void responders() {
        ServiceConfig c = ServiceConfig.of(Service.ECHO);
        ByteBuffer req = ByteBuffer.wrap("abc".getBytes());
        assertTrue(req == Service.ECHO.responder(c).reply(req), "echo answers with the request itself");
        assertEquals(4, Service.TIME.responder(c).reply(req).remaining());
        ByteBuffer line = Service.DAYTIME.responder(c).reply(req);
        assertEquals(28, line.remaining(), "2020-06-11 13:52:38.709123\\r\\n");
    }

    @Test
    void configChecksItsValues() {
        ServiceConfig c = ServiceConfig.of(Service.ECHO);
        assertEquals("127.0.0.1", c.host());
        assertEquals(7007, c.port());
        assertTrue(c.tcp() && c.udp());
        assertThrows(IllegalArgumentException.class, () -> c.withPort(65536));
        ServiceConfig none = c.withProtocols(false, false);    // only Unix sockets, given to the server
        assertThrows(IllegalArgumentException.class, () -> Server.onLoop(none, dev.uloop.Backend.POLL));
        assertThrows(IllegalArgumentException.class, () -> Server.blocking(none, false));
        assertThrows(IllegalArgumentException.class, () -> c.withRateLimit(-1));
    }
}
