package dev.uloop;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.uloop.internal.posix.Syscall;
import java.lang.management.ManagementFactory;

/**
 * What the allocation tests assume: the hot system calls go to the kernel directly (x86_64
 * Linux), so that no errno capture allocates per call. Elsewhere the capture's temporaries
 * are removed only by escape analysis, in some compilations and not in others.
 */
public final class DirectCalls {
    private DirectCalls() {}

    /** Skips a test that needs the direct calls where they are not in use. */
    public static void assume() {
        assumeTrue(Syscall.AVAILABLE, "system calls go through libc with errno capture here");
    }

    /** Skips a test that needs the direct calls, or escape analysis, where neither is there. */
    public static void assumeOrEscapeAnalysis() {
        boolean escapeAnalysis = "true".equals(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                .getVMOption("DoEscapeAnalysis").getValue());
        assumeTrue(Syscall.AVAILABLE || escapeAnalysis,
                "errno capture allocates per call without escape analysis, and this JVM has none");
    }
}
