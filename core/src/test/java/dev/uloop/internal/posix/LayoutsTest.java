package dev.uloop.internal.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemoryLayout;
import org.junit.jupiter.api.Test;

/** Struct sizes and offsets as the kernel and glibc define them on x86_64 and aarch64. */
class LayoutsTest {
    @Test
    void epollEventIsPackedOnlyOnX86_64() {
        if (LibC.X86_64) {
            assertEquals(12, Epoll.EVENT.byteSize());
            assertEquals(4, Epoll.DATA_OFFSET);
        } else {
            assertEquals(16, Epoll.EVENT.byteSize());
            assertEquals(8, Epoll.DATA_OFFSET);
        }
        assertEquals(0, Epoll.EVENTS_OFFSET);
        assertEquals(Epoll.EVENT.byteSize(), Epoll.EVENT_SIZE);
    }

    @Test
    void pollfd() {
        assertEquals(8, Poll.POLLFD.byteSize());
        assertEquals(Poll.FD_OFFSET, Poll.POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("fd")));
        assertEquals(Poll.EVENTS_OFFSET, Poll.POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("events")));
        assertEquals(Poll.REVENTS_OFFSET, Poll.POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("revents")));
    }

    @Test
    void selectTypes() {
        assertEquals(128, Select.FD_SET.byteSize());
        assertEquals(16, Select.TIMEVAL.byteSize());
    }

    @Test
    void socketAddresses() {
        assertEquals(16, SockAddr.IN.byteSize());
        assertEquals(28, SockAddr.IN6.byteSize());
        assertEquals(2, SockAddr.IN.byteOffset(MemoryLayout.PathElement.groupElement("sin_port")));
        assertEquals(4, SockAddr.IN.byteOffset(MemoryLayout.PathElement.groupElement("sin_addr")));
        assertEquals(8, SockAddr.IN6.byteOffset(MemoryLayout.PathElement.groupElement("sin6_addr")));
        assertEquals(24, SockAddr.IN6.byteOffset(MemoryLayout.PathElement.groupElement("sin6_scope_id")));
    }
}
