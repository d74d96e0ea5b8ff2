package dev.uloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class BackendTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty(Backend.PROPERTY);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void linuxHasAllThreeAndPrefersEpoll() {
        assertEquals(List.of(Backend.EPOLL, Backend.POLL, Backend.SELECT), Backend.available());
        assertEquals(Backend.EPOLL, Backend.best());
        assertEquals(Backend.EPOLL, Backend.parse("auto"));
        try (EventLoop loop = EventLoop.open()) {
            assertEquals(Backend.EPOLL, loop.backend());
        }
    }

    @Test
    void parseAcceptsNamesInAnyCase() {
        assertEquals(Backend.POLL, Backend.parse("poll"));
        assertEquals(Backend.SELECT, Backend.parse(" SELECT "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.parse("kqueue"));
        assertEquals("unknown backend 'kqueue'; choose auto, epoll, poll or select", e.getMessage());
    }

    @Test
    void systemPropertyOverridesTheChoice() {
        System.setProperty(Backend.PROPERTY, "select");
        try (EventLoop loop = EventLoop.open()) {
            assertEquals(Backend.SELECT, loop.backend());
            assertEquals("select", loop.stats().backend());
        }
        System.setProperty(Backend.PROPERTY, "bogus");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, EventLoop::open);
        assertTrue(e.getMessage().startsWith("-Duloop.backend=bogus: unknown backend"), e.getMessage());
    }
}
