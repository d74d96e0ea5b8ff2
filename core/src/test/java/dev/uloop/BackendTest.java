package dev.uloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.uring.IoUringProbe;
import dev.uloop.internal.uring.FakeIoUringKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
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
    void linuxHasEpollPollAndSelectAndPrefersEpoll() {
        List<Backend> expected = new ArrayList<>(List.of(Backend.EPOLL, Backend.POLL, Backend.SELECT));
        if (Backend.IO_URING.isAvailable()) {
            expected.add(1, Backend.IO_URING);    // where the kernel allows it
            if (Backend.IO_URING_COMPLETION.isAvailable()) {
                expected.add(2, Backend.IO_URING_COMPLETION);    // Linux 6.0+
            }
        }
        assertEquals(expected, Backend.available());
        assertEquals(Backend.EPOLL, Backend.best());
        assertEquals(Backend.EPOLL, Backend.parse("auto"));
        try (EventLoop loop = EventLoop.open()) {
            assertEquals(Backend.EPOLL, loop.backend());
        }
    }

    @Test
    void anotherOperatingSystemOrArchitectureIsRefusedWithASentenceThatSaysWhy() {
        assertNull(dev.uloop.internal.backend.Backends.platformProblem("Linux", "amd64"));
        assertNull(dev.uloop.internal.backend.Backends.platformProblem("Linux", "aarch64"));
        assertEquals("uloop runs on Linux on x86_64 and aarch64 (its system calls, constants and structures are"
                + " Linux's); this is Mac OS X on aarch64",
                dev.uloop.internal.backend.Backends.platformProblem("Mac OS X", "aarch64"));
        assertTrue(dev.uloop.internal.backend.Backends.platformProblem("Linux", "riscv64").endsWith("Linux on riscv64"));
        assertTrue(dev.uloop.internal.backend.Backends.platformProblem("Windows 11", "amd64").contains("Windows 11"));
    }

    @Test
    void parseAcceptsNamesInAnyCase() {
        assertEquals(Backend.POLL, Backend.parse("poll"));
        assertEquals(Backend.SELECT, Backend.parse(" SELECT "));
        assertEquals(Backend.IO_URING, Backend.parse("io_uring"));
        assertEquals(Backend.IO_URING, Backend.parse("iouring"));
        assertEquals(Backend.IO_URING, Backend.parse("IO-URING"));
        assertEquals("io_uring", Backend.IO_URING.id());
        assertEquals(Backend.IO_URING_COMPLETION, Backend.parse("io_uring-completion"));
        assertEquals(Backend.IO_URING_COMPLETION, Backend.parse("IO-URING-COMPLETION"));
        assertEquals(Backend.IO_URING_COMPLETION, Backend.parse("io_uring_completion"));
        assertEquals(Backend.IO_URING_COMPLETION, Backend.parse("completion"));
        assertEquals("io_uring-completion", Backend.IO_URING_COMPLETION.id());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.parse("kqueue"));
        assertEquals("unknown backend 'kqueue'; choose auto, epoll, io_uring, io_uring-completion, poll or select",
                e.getMessage());
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

    /** Availability as a kernel that answers io_uring_setup with {@code -errno} (sysctl content {@code sysctl}) would give. */
    private static Function<Backend, Optional<String>> ioUringRefused(int errno, String sysctl, Backend... alsoMissing) {
        String reason = IoUringProbe.probe(new FakeIoUringKernel(-errno, 0, sysctl)).reason();
        List<Backend> missing = List.of(alsoMissing);
        return b -> b == Backend.IO_URING || b == Backend.IO_URING_COMPLETION ? Optional.of(reason)
                : missing.contains(b) ? Optional.of("not here") : Optional.empty();
    }

    @Test
    void autoPassesOverARefusedIoUringSilently() {
        assertSame(Backend.EPOLL, Backend.best(ioUringRefused(Errno.ENOSYS, null)));
        // Even where io_uring would come first (no epoll), a refusal falls back to the next one.
        assertSame(Backend.POLL, Backend.best(ioUringRefused(Errno.EPERM, "0", Backend.EPOLL)));
        assertSame(Backend.IO_URING, Backend.best(b -> b == Backend.EPOLL ? Optional.of("x") : Optional.empty()));
    }

    @Test
    void askingForARefusedIoUringSaysWhy() {
        UnsupportedOperationException enosys = assertThrows(UnsupportedOperationException.class,
                () -> Backend.require(Backend.IO_URING, ioUringRefused(Errno.ENOSYS, null)));
        assertTrue(enosys.getMessage().startsWith("the io_uring backend is not available: io_uring_setup: ENOSYS"
                + " (Function not implemented): "), enosys.getMessage());
        assertTrue(enosys.getMessage().endsWith("; available: [epoll, poll, select]"), enosys.getMessage());

        UnsupportedOperationException eperm = assertThrows(UnsupportedOperationException.class,
                () -> Backend.require(Backend.IO_URING, ioUringRefused(Errno.EPERM, "0")));
        assertTrue(eperm.getMessage().contains("EPERM (Operation not permitted): refused by a seccomp filter"),
                eperm.getMessage());

        UnsupportedOperationException sysctl = assertThrows(UnsupportedOperationException.class,
                () -> Backend.require(Backend.IO_URING, ioUringRefused(Errno.EPERM, "2")));
        assertEquals("the io_uring backend is not available: disabled by sysctl: kernel.io_uring_disabled=2;"
                + " available: [epoll, poll, select]", sysctl.getMessage());

        assertSame(Backend.EPOLL, Backend.require(Backend.EPOLL, ioUringRefused(Errno.ENOSYS, null)));

        UnsupportedOperationException completion = assertThrows(UnsupportedOperationException.class,
                () -> Backend.require(Backend.IO_URING_COMPLETION, ioUringRefused(Errno.ENOSYS, null)));
        assertTrue(completion.getMessage().startsWith("the io_uring-completion backend is not available: io_uring_setup:"
                + " ENOSYS"), completion.getMessage());
        assertTrue(completion.getMessage().endsWith("; available: [epoll, poll, select]"), completion.getMessage());
    }

    @Test
    void theRealAvailabilityAndReasonAgree() {
        for (Backend b : Backend.values()) {
            assertEquals(b.isAvailable(), b.unavailableReason().isEmpty(), b.toString());
            if (b.isAvailable()) {
                assertSame(b, b.requireAvailable());
            } else {
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, b::requireAvailable);
                assertTrue(e.getMessage().contains(b.unavailableReason().get()) || b != Backend.IO_URING, e.getMessage());
            }
        }
    }
}
