package dev.uloop.internal.posix;

import static dev.uloop.internal.posix.LibC.C_INT;
import static dev.uloop.internal.posix.LibC.C_LONG;
import static dev.uloop.internal.posix.LibC.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code <linux/io_uring.h>}: the three io_uring system calls, called through libc's
 * variadic {@code syscall(2)} (glibc has no wrappers), and the structs they share with the
 * kernel.
 *
 * <pre>{@code
 * struct io_uring_params {            // 120 bytes
 *     __u32 sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd, resv[3];
 *     struct io_sqring_offsets sq_off; // at 40: head, tail, ring_mask, ring_entries, flags, dropped, array, resv1; __u64 user_addr
 *     struct io_cqring_offsets cq_off; // at 80: head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1; __u64 user_addr
 * };
 * struct io_uring_sqe {               // 64 bytes
 *     __u8 opcode; __u8 flags; __u16 ioprio; __s32 fd;
 *     __u64 off;                      // addr2; for POLL_REMOVE with IORING_POLL_UPDATE_USER_DATA: the new user_data
 *     __u64 addr;                     // for POLL_REMOVE: the user_data of the poll to remove or update
 *     __u32 len;                      // for POLL_ADD / POLL_REMOVE: IORING_POLL_* flags
 *     __u32 poll32_events;            // rw_flags, timeout_flags, ... (a union)
 *     __u64 user_data;
 *     __u16 buf_index; __u16 personality; __s32 splice_fd_in; __u64 addr3; __u64 __pad2[1];
 * };
 * struct io_uring_cqe { __u64 user_data; __s32 res; __u32 flags; };   // 16 bytes
 * struct io_uring_getevents_arg { __u64 sigmask; __u32 sigmask_sz; __u32 min_wait_usec; __u64 ts; };
 * struct __kernel_timespec { __s64 tv_sec; long long tv_nsec; };
 * }</pre>
 *
 * <p>The system call numbers are 425, 426 and 427 on both x86_64 and aarch64 (io_uring
 * came after the generic syscall table was unified). Wrappers return the result, or
 * {@code -errno}.
 *
 * <p>Whether this process may use io_uring at all is {@link IoUringProbe}'s question.
 */
public final class IoUring {
    private IoUring() {}

    public static final long SYS_IO_URING_SETUP = 425;
    public static final long SYS_IO_URING_ENTER = 426;
    public static final long SYS_IO_URING_REGISTER = 427;

    // io_uring_params.flags
    public static final int IORING_SETUP_CQSIZE = 1 << 3;
    public static final int IORING_SETUP_CLAMP = 1 << 4;
    /** The ring starts disabled until IORING_REGISTER_ENABLE_RINGS (Linux 5.10); a SINGLE_ISSUER
     *  ring then belongs to the thread that enables it, not to the one that set it up. */
    public static final int IORING_SETUP_R_DISABLED = 1 << 6;
    /** Only the thread that set the ring up may submit to it (Linux 6.0+). */
    public static final int IORING_SETUP_SINGLE_ISSUER = 1 << 12;
    /** Completions' task work runs only inside that thread's io_uring_enter(GETEVENTS) (Linux 6.1+). */
    public static final int IORING_SETUP_DEFER_TASKRUN = 1 << 13;

    // io_uring_params.features
    public static final int IORING_FEAT_SINGLE_MMAP = 1 << 0;
    public static final int IORING_FEAT_NODROP = 1 << 1;
    public static final int IORING_FEAT_EXT_ARG = 1 << 8;
    /** Poll requests can be updated in place (Linux 5.13, the same release as the feature bit). */
    public static final int IORING_FEAT_RSRC_TAGS = 1 << 10;
    public static final int IORING_FEAT_CQE_SKIP = 1 << 11;

    // io_uring_enter flags
    public static final int IORING_ENTER_GETEVENTS = 1 << 0;
    public static final int IORING_ENTER_EXT_ARG = 1 << 3;

    // opcodes
    public static final int IORING_OP_NOP = 0;
    public static final int IORING_OP_POLL_ADD = 6;
    public static final int IORING_OP_POLL_REMOVE = 7;
    public static final int IORING_OP_ACCEPT = 13;
    public static final int IORING_OP_ASYNC_CANCEL = 14;
    public static final int IORING_OP_SEND = 26;
    public static final int IORING_OP_RECV = 27;
    /** Zero-copy send (Linux 6.0): uloop does not use it, but its presence says the kernel is 6.0+. */
    public static final int IORING_OP_SEND_ZC = 47;

    // io_uring_sqe.cancel_flags for ASYNC_CANCEL (Linux 5.19)
    /** Cancel every request that matches, not only the first. */
    public static final int IORING_ASYNC_CANCEL_ALL = 1 << 0;
    /** Match requests by their file descriptor (sqe.fd), not by user_data. */
    public static final int IORING_ASYNC_CANCEL_FD = 1 << 1;

    // io_uring_sqe.flags
    /** Take the buffer from the provided buffer group named by sqe.buf_group (buf_index). */
    public static final int IOSQE_BUFFER_SELECT = 1 << 5;
    public static final int IOSQE_CQE_SKIP_SUCCESS = 1 << 6;

    // io_uring_sqe.ioprio for ACCEPT and RECV
    /** One ACCEPT request completes once per accepted connection (Linux 5.19). */
    public static final int IORING_ACCEPT_MULTISHOT = 1 << 0;
    /** One RECV request with IOSQE_BUFFER_SELECT completes once per received chunk (Linux 6.0). */
    public static final int IORING_RECV_MULTISHOT = 1 << 1;

    // io_uring_sqe.len for POLL_ADD and POLL_REMOVE
    public static final int IORING_POLL_ADD_MULTI = 1 << 0;
    public static final int IORING_POLL_UPDATE_EVENTS = 1 << 1;
    public static final int IORING_POLL_UPDATE_USER_DATA = 1 << 2;

    // io_uring_cqe.flags
    /** The upper 16 bits of cqe.flags hold the id of the provided buffer used. */
    public static final int IORING_CQE_F_BUFFER = 1 << 0;
    public static final int IORING_CQE_F_MORE = 1 << 1;
    public static final int IORING_CQE_BUFFER_SHIFT = 16;

    // mmap offsets
    public static final long IORING_OFF_SQ_RING = 0L;
    public static final long IORING_OFF_CQ_RING = 0x8000000L;
    public static final long IORING_OFF_SQES = 0x10000000L;

    // io_uring_register opcodes
    public static final int IORING_REGISTER_PROBE = 8;
    /** Enable a ring set up with IORING_SETUP_R_DISABLED (Linux 5.10). */
    public static final int IORING_REGISTER_ENABLE_RINGS = 12;
    /** Register a ring of provided buffers (Linux 5.19): {@code struct io_uring_buf_reg}, nr_args 1. */
    public static final int IORING_REGISTER_PBUF_RING = 22;
    public static final int IORING_UNREGISTER_PBUF_RING = 23;
    public static final int IO_URING_OP_SUPPORTED = 1;

    /** {@code struct io_sqring_offsets}. */
    public static final StructLayout SQRING_OFFSETS = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("head"),
            ValueLayout.JAVA_INT.withName("tail"),
            ValueLayout.JAVA_INT.withName("ring_mask"),
            ValueLayout.JAVA_INT.withName("ring_entries"),
            ValueLayout.JAVA_INT.withName("flags"),
            ValueLayout.JAVA_INT.withName("dropped"),
            ValueLayout.JAVA_INT.withName("array"),
            ValueLayout.JAVA_INT.withName("resv1"),
            ValueLayout.JAVA_LONG.withName("user_addr"));

    /** {@code struct io_cqring_offsets}. */
    public static final StructLayout CQRING_OFFSETS = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("head"),
            ValueLayout.JAVA_INT.withName("tail"),
            ValueLayout.JAVA_INT.withName("ring_mask"),
            ValueLayout.JAVA_INT.withName("ring_entries"),
            ValueLayout.JAVA_INT.withName("overflow"),
            ValueLayout.JAVA_INT.withName("cqes"),
            ValueLayout.JAVA_INT.withName("flags"),
            ValueLayout.JAVA_INT.withName("resv1"),
            ValueLayout.JAVA_LONG.withName("user_addr"));

    /** {@code struct io_uring_params}. */
    public static final StructLayout PARAMS = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("sq_entries"),
            ValueLayout.JAVA_INT.withName("cq_entries"),
            ValueLayout.JAVA_INT.withName("flags"),
            ValueLayout.JAVA_INT.withName("sq_thread_cpu"),
            ValueLayout.JAVA_INT.withName("sq_thread_idle"),
            ValueLayout.JAVA_INT.withName("features"),
            ValueLayout.JAVA_INT.withName("wq_fd"),
            MemoryLayout.sequenceLayout(3, ValueLayout.JAVA_INT).withName("resv"),
            SQRING_OFFSETS.withName("sq_off"),
            CQRING_OFFSETS.withName("cq_off"));

    /** {@code struct io_uring_sqe}, with the members of its unions that uloop uses. */
    public static final StructLayout SQE = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("opcode"),
            ValueLayout.JAVA_BYTE.withName("flags"),
            ValueLayout.JAVA_SHORT.withName("ioprio"),
            ValueLayout.JAVA_INT.withName("fd"),
            ValueLayout.JAVA_LONG.withName("off"),
            ValueLayout.JAVA_LONG.withName("addr"),
            ValueLayout.JAVA_INT.withName("len"),
            ValueLayout.JAVA_INT.withName("poll32_events"),
            ValueLayout.JAVA_LONG.withName("user_data"),
            ValueLayout.JAVA_SHORT.withName("buf_index"),
            ValueLayout.JAVA_SHORT.withName("personality"),
            ValueLayout.JAVA_INT.withName("splice_fd_in"),
            ValueLayout.JAVA_LONG.withName("addr3"),
            ValueLayout.JAVA_LONG.withName("pad2"));

    /** {@code struct io_uring_cqe} (without the big-CQE extension, which uloop does not ask for). */
    public static final StructLayout CQE = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("user_data"),
            ValueLayout.JAVA_INT.withName("res"),
            ValueLayout.JAVA_INT.withName("flags"));

    /** {@code struct io_uring_getevents_arg}, passed with IORING_ENTER_EXT_ARG. */
    public static final StructLayout GETEVENTS_ARG = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("sigmask"),
            ValueLayout.JAVA_INT.withName("sigmask_sz"),
            ValueLayout.JAVA_INT.withName("min_wait_usec"),
            ValueLayout.JAVA_LONG.withName("ts"));

    /** {@code struct __kernel_timespec}. */
    public static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("tv_sec"),
            ValueLayout.JAVA_LONG.withName("tv_nsec"));

    /** {@code struct io_uring_buf_reg}: the argument of IORING_REGISTER_PBUF_RING. */
    public static final StructLayout BUF_REG = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("ring_addr"),
            ValueLayout.JAVA_INT.withName("ring_entries"),
            ValueLayout.JAVA_SHORT.withName("bgid"),
            ValueLayout.JAVA_SHORT.withName("flags"),
            MemoryLayout.sequenceLayout(3, ValueLayout.JAVA_LONG).withName("resv"));

    /**
     * {@code struct io_uring_buf}: one entry of a provided buffer ring. The ring's tail is a
     * {@code __u16} that overlays {@code resv} of entry 0 (byte 14).
     */
    public static final StructLayout BUF = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("addr"),
            ValueLayout.JAVA_INT.withName("len"),
            ValueLayout.JAVA_SHORT.withName("bid"),
            ValueLayout.JAVA_SHORT.withName("resv"));

    /** {@code struct io_uring_probe}: a 16-byte header followed by {@code ops_len} 8-byte ops. */
    public static final StructLayout PROBE = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("last_op"),
            ValueLayout.JAVA_BYTE.withName("ops_len"),
            ValueLayout.JAVA_SHORT.withName("resv"),
            MemoryLayout.sequenceLayout(3, ValueLayout.JAVA_INT).withName("resv2"));

    /** {@code struct io_uring_probe_op}. */
    public static final StructLayout PROBE_OP = MemoryLayout.structLayout(
            ValueLayout.JAVA_BYTE.withName("op"),
            ValueLayout.JAVA_BYTE.withName("resv"),
            ValueLayout.JAVA_SHORT.withName("flags"),
            ValueLayout.JAVA_INT.withName("resv2"));

    public static final long PARAMS_SQ_ENTRIES = offset(PARAMS, "sq_entries");
    public static final long PARAMS_CQ_ENTRIES = offset(PARAMS, "cq_entries");
    public static final long PARAMS_FLAGS = offset(PARAMS, "flags");
    public static final long PARAMS_FEATURES = offset(PARAMS, "features");
    public static final long PARAMS_SQ_OFF = offset(PARAMS, "sq_off");
    public static final long PARAMS_CQ_OFF = offset(PARAMS, "cq_off");

    // Offsets within io_sqring_offsets and io_cqring_offsets (add PARAMS_SQ_OFF / PARAMS_CQ_OFF).
    public static final long SQOFF_HEAD = offset(SQRING_OFFSETS, "head");
    public static final long SQOFF_TAIL = offset(SQRING_OFFSETS, "tail");
    public static final long SQOFF_RING_MASK = offset(SQRING_OFFSETS, "ring_mask");
    public static final long SQOFF_RING_ENTRIES = offset(SQRING_OFFSETS, "ring_entries");
    public static final long SQOFF_FLAGS = offset(SQRING_OFFSETS, "flags");
    public static final long SQOFF_ARRAY = offset(SQRING_OFFSETS, "array");
    public static final long CQOFF_HEAD = offset(CQRING_OFFSETS, "head");
    public static final long CQOFF_TAIL = offset(CQRING_OFFSETS, "tail");
    public static final long CQOFF_RING_MASK = offset(CQRING_OFFSETS, "ring_mask");
    public static final long CQOFF_RING_ENTRIES = offset(CQRING_OFFSETS, "ring_entries");
    public static final long CQOFF_CQES = offset(CQRING_OFFSETS, "cqes");

    public static final long SQE_SIZE = SQE.byteSize();
    public static final long SQE_OPCODE = offset(SQE, "opcode");
    public static final long SQE_FLAGS = offset(SQE, "flags");
    public static final long SQE_IOPRIO = offset(SQE, "ioprio");
    public static final long SQE_FD = offset(SQE, "fd");
    public static final long SQE_OFF = offset(SQE, "off");
    public static final long SQE_ADDR = offset(SQE, "addr");
    public static final long SQE_LEN = offset(SQE, "len");
    public static final long SQE_POLL32_EVENTS = offset(SQE, "poll32_events");
    public static final long SQE_USER_DATA = offset(SQE, "user_data");
    /** buf_index, or buf_group with IOSQE_BUFFER_SELECT (a union). */
    public static final long SQE_BUF_INDEX = offset(SQE, "buf_index");

    public static final long CQE_SIZE = CQE.byteSize();
    public static final long CQE_USER_DATA = offset(CQE, "user_data");
    public static final long CQE_RES = offset(CQE, "res");
    public static final long CQE_FLAGS = offset(CQE, "flags");

    public static final long ARG_TS = offset(GETEVENTS_ARG, "ts");
    public static final long TS_SEC = offset(TIMESPEC, "tv_sec");
    public static final long TS_NSEC = offset(TIMESPEC, "tv_nsec");

    private static long offset(StructLayout layout, String name) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(name));
    }

    /**
     * The downcalls, each linked on first use (a holder class per call): a platform where
     * linking a variadic {@code syscall} fails then only loses io_uring (the probe says why),
     * not this class, and the libc enter is never linked while the direct one is in use.
     *
     * <p>{@code long syscall(long number, ...)}: every argument after the number is variadic.
     * Each is passed as a full 64-bit long (or a pointer), since syscall() reads six longs
     * from its va_list whatever the call's real types are.
     */
    private static final Linker.Option VARIADIC = Linker.Option.firstVariadicArg(1);
    private static final FunctionDescriptor ENTER_FD =
            FunctionDescriptor.of(C_LONG, C_LONG, C_LONG, C_LONG, C_LONG, C_LONG, C_POINTER, C_LONG);

    private static final class Setup {
        static final MethodHandle HANDLE = LibC.downcall("syscall",
                FunctionDescriptor.of(C_LONG, C_LONG, C_LONG, C_POINTER), VARIADIC);
    }
    private static final class Enter {
        static final MethodHandle HANDLE = LibC.downcall("syscall", ENTER_FD, VARIADIC);
    }
    // An enter that does not wait (min_complete 0) never blocks: it may skip the thread state transition.
    private static final class EnterNow {
        static final MethodHandle HANDLE = LibC.downcall("syscall", ENTER_FD, VARIADIC, LibC.CRITICAL);
    }
    // The same enter without libc or errno (see Syscall), where available: null elsewhere.
    private static final FunctionDescriptor RAW_ENTER_FD =
            FunctionDescriptor.of(C_LONG, C_INT, C_INT, C_INT, C_INT, C_LONG, C_LONG);
    private static final class RawEnter {
        static final MethodHandle HANDLE = Syscall.handle(Syscall.IO_URING_ENTER, RAW_ENTER_FD, false);
    }
    private static final class RawEnterNow {
        static final MethodHandle HANDLE = Syscall.handle(Syscall.IO_URING_ENTER, RAW_ENTER_FD, true);
    }
    private static final class Register {
        static final MethodHandle HANDLE = LibC.downcall("syscall",
                FunctionDescriptor.of(C_LONG, C_LONG, C_LONG, C_LONG, C_POINTER, C_LONG), VARIADIC);
    }

    /** {@code int io_uring_setup(u32 entries, struct io_uring_params *p)}: the ring's fd, or -errno. */
    public static int setup(int entries, MemorySegment params) {
        MemorySegment st = LibC.errnoState();
        try {
            return (int) LibC.result((long) Setup.HANDLE.invokeExact(st, SYS_IO_URING_SETUP, (long) entries, params), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * {@code int io_uring_enter(unsigned fd, u32 to_submit, u32 min_complete, u32 flags,
     * const void *arg, size_t argsz)}. Returns the number of SQEs consumed when it submitted
     * any, else the result of the wait (0, or {@code -ETIME}, {@code -EINTR}, ...); EINTR is
     * returned as is: the caller recomputes the time left.
     */
    public static int enter(int fd, int toSubmit, int minComplete, int flags, MemorySegment arg, long argSize) {
        if (Syscall.AVAILABLE) {
            long a = Syscall.address(arg);
            try {
                return (int) (minComplete == 0
                        ? (long) RawEnterNow.HANDLE.invokeExact(fd, toSubmit, minComplete, flags, a, argSize)
                        : (long) RawEnter.HANDLE.invokeExact(fd, toSubmit, minComplete, flags, a, argSize));
            } catch (Throwable t) {
                throw LibC.rethrow(t);
            }
        }
        MemorySegment st = LibC.errnoState();
        try {
            long r = minComplete == 0
                    ? (long) EnterNow.HANDLE.invokeExact(st, SYS_IO_URING_ENTER, (long) fd, (long) toSubmit,
                            (long) minComplete, (long) flags, arg, argSize)
                    : (long) Enter.HANDLE.invokeExact(st, SYS_IO_URING_ENTER, (long) fd, (long) toSubmit,
                            (long) minComplete, (long) flags, arg, argSize);
            return (int) LibC.result(r, st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** {@code int io_uring_register(unsigned fd, unsigned opcode, void *arg, unsigned nr_args)}. */
    public static int register(int fd, int opcode, MemorySegment arg, int nrArgs) {
        MemorySegment st = LibC.errnoState();
        try {
            return (int) LibC.result((long) Register.HANDLE.invokeExact(st, SYS_IO_URING_REGISTER, (long) fd, (long) opcode,
                    arg, (long) nrArgs), st);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** Name of an opcode uloop uses, for messages. */
    public static String opName(int op) {
        return switch (op) {
            case IORING_OP_NOP -> "NOP";
            case IORING_OP_POLL_ADD -> "POLL_ADD";
            case IORING_OP_POLL_REMOVE -> "POLL_REMOVE";
            case IORING_OP_ACCEPT -> "ACCEPT";
            case IORING_OP_ASYNC_CANCEL -> "ASYNC_CANCEL";
            case IORING_OP_SEND -> "SEND";
            case IORING_OP_RECV -> "RECV";
            case IORING_OP_SEND_ZC -> "SEND_ZC, Linux 6.0+";
            default -> String.valueOf(op);
        };
    }
}
