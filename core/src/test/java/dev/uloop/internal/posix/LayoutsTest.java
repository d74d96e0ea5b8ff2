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

    @Test
    void ioUringStructs() {
        assertEquals(120, IoUring.PARAMS.byteSize());
        assertEquals(40, IoUring.PARAMS_SQ_OFF);
        assertEquals(80, IoUring.PARAMS_CQ_OFF);
        assertEquals(20, IoUring.PARAMS_FEATURES);
        assertEquals(40, IoUring.SQRING_OFFSETS.byteSize());
        assertEquals(40, IoUring.CQRING_OFFSETS.byteSize());
        assertEquals(24, IoUring.SQOFF_ARRAY);
        assertEquals(20, IoUring.CQOFF_CQES);
        assertEquals(64, IoUring.SQE_SIZE);
        assertEquals(4, IoUring.SQE_FD);
        assertEquals(8, IoUring.SQE_OFF);
        assertEquals(16, IoUring.SQE_ADDR);
        assertEquals(24, IoUring.SQE_LEN);
        assertEquals(28, IoUring.SQE_POLL32_EVENTS);
        assertEquals(32, IoUring.SQE_USER_DATA);
        assertEquals(16, IoUring.CQE_SIZE);
        assertEquals(8, IoUring.CQE_RES);
        assertEquals(12, IoUring.CQE_FLAGS);
        assertEquals(24, IoUring.GETEVENTS_ARG.byteSize());
        assertEquals(16, IoUring.ARG_TS);
        assertEquals(16, IoUring.TIMESPEC.byteSize());
        assertEquals(16, IoUring.PROBE.byteSize());
        assertEquals(8, IoUring.PROBE_OP.byteSize());
    }
}
