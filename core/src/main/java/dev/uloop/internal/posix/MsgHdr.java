package dev.uloop.internal.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A reusable {@code struct msghdr} for {@link Socket#recvmsg}: one buffer, one source
 * address and room for control messages, all in memory the caller owns. Built once and
 * reset before each call ({@link #prepare()}), so a receive allocates nothing.
 *
 * <pre>
 * struct msghdr {              // LP64 Linux, 56 bytes
 *     void         *msg_name;       //  0
 *     socklen_t     msg_namelen;    //  8
 *     struct iovec *msg_iov;        // 16
 *     size_t        msg_iovlen;     // 24
 *     void         *msg_control;    // 32
 *     size_t        msg_controllen; // 40
 *     int           msg_flags;      // 48
 * };
 * struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; data at 16 };
 * </pre>
 */
public final class MsgHdr {
    private static final long NAME = 0;
    private static final long NAMELEN = 8;
    private static final long IOV = 16;
    private static final long IOVLEN = 24;
    private static final long CONTROL = 32;
    private static final long CONTROLLEN = 40;
    private static final long FLAGS = 48;
    private static final long SIZE = 56;
    private static final long IOVEC_SIZE = 16;
    private static final long CMSG_HEADER = 16;
    /** Room for a few control messages (a timestamp needs 32 bytes). */
    private static final int CONTROL_SIZE = 128;

    /** The structure to pass to {@link Socket#recvmsg}. */
    public final MemorySegment msg;
    private final MemorySegment control;

    /**
     * Points a new header at a buffer and an address slot.
     *
     * @param arena  owns the header's memory
     * @param buffer where data lands
     * @param length how many bytes of {@code buffer} to use
     * @param name   a {@code sockaddr_storage} for the source address
     */
    public MsgHdr(Arena arena, MemorySegment buffer, long length, MemorySegment name) {
        msg = arena.allocate(SIZE, 8);
        MemorySegment iov = arena.allocate(IOVEC_SIZE, 8);
        control = arena.allocate(CONTROL_SIZE, 8);
        iov.set(ValueLayout.ADDRESS, 0, buffer);
        iov.set(ValueLayout.JAVA_LONG, 8, length);
        msg.set(ValueLayout.ADDRESS, NAME, name);
        msg.set(ValueLayout.ADDRESS, IOV, iov);
        msg.set(ValueLayout.JAVA_LONG, IOVLEN, 1);
        msg.set(ValueLayout.ADDRESS, CONTROL, control);
    }

    /** Resets the lengths the kernel overwrites; call before each receive. */
    public void prepare() {
        msg.set(ValueLayout.JAVA_INT, NAMELEN, SockAddr.STORAGE_SIZE);
        msg.set(ValueLayout.JAVA_LONG, CONTROLLEN, CONTROL_SIZE);
        msg.set(ValueLayout.JAVA_INT, FLAGS, 0);
    }

    /**
     * The length of the source address the kernel wrote.
     *
     * @return bytes of the name
     */
    public int nameLength() {
        return msg.get(ValueLayout.JAVA_INT, NAMELEN);
    }

    /**
     * The flags the kernel set ({@link Socket#MSG_TRUNC}, {@link Socket#MSG_CTRUNC}).
     *
     * @return msg_flags
     */
    public int flags() {
        return msg.get(ValueLayout.JAVA_INT, FLAGS);
    }

    /**
     * Finds a control message of a {@code struct timespec} (such as
     * {@link Socket#SCM_TIMESTAMPNS}) and reads it.
     *
     * @param level the cmsg level, for example {@link Socket#SOL_SOCKET}
     * @param type  the cmsg type
     * @return nanoseconds, or {@link Long#MIN_VALUE} when there is no such message
     */
    public long timespec(int level, int type) {
        long total = Math.min(msg.get(ValueLayout.JAVA_LONG, CONTROLLEN), CONTROL_SIZE);
        long at = 0;
        while (at + CMSG_HEADER <= total) {
            long len = control.get(ValueLayout.JAVA_LONG, at);
            if (len < CMSG_HEADER || at + len > total) {
                break;
            }
            if (control.get(ValueLayout.JAVA_INT, at + 8) == level && control.get(ValueLayout.JAVA_INT, at + 12) == type
                    && len >= CMSG_HEADER + Time.TIMESPEC_SIZE) {
                return Time.timespecNanos(control, at + CMSG_HEADER);
            }
            at += (len + 7) & ~7L;
        }
        return Long.MIN_VALUE;
    }
}
