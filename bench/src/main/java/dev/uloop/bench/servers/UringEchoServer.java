package dev.uloop.bench.servers;

import dev.uloop.internal.uring.IoUringBufferRing;
import dev.uloop.internal.uring.IoUringRing;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.EventFd;
import dev.uloop.internal.posix.IoUring;
import dev.uloop.internal.uring.IoUringProbe;
import dev.uloop.internal.posix.Poll;
import dev.uloop.internal.posix.SockAddr;
import dev.uloop.internal.posix.Socket;
import dev.uloop.internal.posix.Unistd;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A prototype TCP echo server in io_uring <em>completion</em> mode, on one thread and one
 * ring, built on uloop's internal io_uring bindings: the kernel does the socket I/O, the
 * loop only reacts to finished operations. It exists to measure whether that pays against
 * uloop's readiness loop (see bench/README.md, "io_uring completion mode").
 *
 * <ul>
 * <li>one multishot ACCEPT on the listening socket: a completion per new connection;</li>
 * <li>per connection one multishot RECV with IOSQE_BUFFER_SELECT from a provided buffer
 *     ring: a completion per received chunk, naming the buffer that holds it;</li>
 * <li>a SEND of that buffer back; a short send is continued from where it stopped; the
 *     buffer goes back to the ring when all of it is sent. A connection has at most one
 *     SEND in flight (others queue behind it, in order), so bytes are never reordered;</li>
 * <li>one {@code io_uring_enter(submit, wait_nr=1, GETEVENTS)} per loop iteration, after
 *     which every completion there is gets handled.</li>
 * </ul>
 *
 * <p>Backpressure comes from the buffer ring: a peer that does not read its echo holds
 * buffers; when none is left a RECV ends with ENOBUFS and is queued again when a buffer comes
 * back. The ring is SINGLE_ISSUER | DEFER_TASKRUN where the kernel has it (6.1+), so it is set
 * up on the server's thread. Needs Linux 6.0+ (multishot RECV); elsewhere {@link #start}
 * fails with the reason, and {@link #main} exits with status 1. TCP only. Nothing is
 * allocated per message.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'bench/target/lib/*' \
 *     dev.uloop.bench.servers.UringEchoServer --port 9002 --tcp
 * </pre>
 */
public final class UringEchoServer implements EchoServer {
    private static final String USAGE = "UringEchoServer --port P --tcp [--host 127.0.0.1]";
    private static final int BUFFERS = 1024;          // provided buffers (power of two)
    private static final int BUFFER_SIZE = 16 * 1024;
    private static final int GROUP = 0;
    private static final int SQ_ENTRIES = 1024;
    private static final int CQ_ENTRIES = 8192;

    // user_data: op in bits 56-63, buffer id in bits 32-47, fd in bits 0-31
    private static final long OP_ACCEPT = 1;
    private static final long OP_RECV = 2;
    private static final long OP_SEND = 3;
    private static final long OP_WAKE = 4;

    private final String host;
    private CompletableFuture<Integer> started;
    private Thread thread;
    private volatile boolean closing;
    private volatile int wakeFd = -1;

    // Loop thread only.
    private IoUringRing ring;
    private IoUringBufferRing buffers;
    private int listenFd = -1;
    private Conn[] conns = new Conn[1024];            // by fd
    private final int[] nextInQueue = new int[BUFFERS];   // per buffer id: the next queued buffer of its connection
    private final int[] sendOffset = new int[BUFFERS];    // per buffer id: bytes of it already sent
    private final int[] sendLength = new int[BUFFERS];    // per buffer id: bytes received into it
    private Conn starved;                              // connections whose RECV ended with ENOBUFS (a list)

    /** One connection: its fd, its queue of buffers to send (the head is in flight). */
    private static final class Conn {
        final int fd;
        boolean recvArmed;
        boolean eof;                 // no more RECV: end of stream, an error, or being closed
        int queueHead = -1;          // buffer ids, linked through nextInQueue; the head's SEND is in flight
        int queueTail = -1;
        Conn nextStarved;
        boolean isStarved;

        Conn(int fd) {
            this.fd = fd;
        }
    }

    /** A server on loopback. */
    public UringEchoServer() {
        this("127.0.0.1");
    }

    /**
     * A server on a given address.
     *
     * @param host the address to bind
     */
    public UringEchoServer(String host) {
        this.host = host;
    }

    /**
     * Why this process cannot run the server (no io_uring, a kernel before 6.0), or null.
     *
     * @return the reason, or null when it can run
     */
    public static String unsupportedReason() {
        return IoUringProbe.unsupportedOps(IoUring.IORING_OP_ACCEPT, IoUring.IORING_OP_RECV, IoUring.IORING_OP_SEND,
                IoUring.IORING_OP_SEND_ZC);
    }

    /**
     * Runs the server until the process is killed; exits with status 1 and the reason where
     * the kernel lacks what it needs.
     *
     * @param args {@code --port P --tcp [--host H]}
     * @throws Exception if it cannot start for another reason
     */
    public static void main(String[] args) throws Exception {
        ServerArgs a = ServerArgs.parse(USAGE, args);
        if (!a.tcp || (a.transport != null && !a.transport.equals("io_uring"))) {
            System.err.println("UringEchoServer serves TCP only, over io_uring");
            System.exit(2);
        }
        String why = unsupportedReason();
        if (why != null) {
            System.err.println("UringEchoServer: io_uring completion mode is not available: " + why
                    + " (needs Linux 6.0+: multishot ACCEPT and RECV, provided buffer rings)");
            System.exit(1);
        }
        try {
            a.serve(x -> new UringEchoServer(x.host));
        } catch (IOException e) {
            System.err.println("UringEchoServer: " + e.getMessage());
            System.exit(1);
        }
    }

    @Override
    public synchronized int start(int port, boolean tcp) throws IOException {
        if (!tcp) {
            throw new IOException("UringEchoServer serves TCP only");
        }
        if (started != null) {
            throw new IllegalStateException("already started");
        }
        String why = unsupportedReason();
        if (why != null) {
            throw new IOException("io_uring completion mode is not available: " + why);
        }
        started = new CompletableFuture<>();
        thread = Thread.ofPlatform().name("uring-echo-tcp").daemon().start(() -> run(port));
        try {
            return started.get();
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting", e);
        }
    }

    private void run(int port) {
        try {
            int bound = setUp(port);
            started.complete(bound);
        } catch (Throwable t) {
            tearDown();
            started.completeExceptionally(t);
            return;
        }
        try {
            loop();
        } finally {
            tearDown();
        }
    }

    private int setUp(int port) throws IOException {
        ring = new IoUringRing(SQ_ENTRIES, CQ_ENTRIES, true);
        buffers = new IoUringBufferRing(ring, GROUP, BUFFERS, BUFFER_SIZE);
        int fd = Socket.socket(Socket.AF_INET, Socket.SOCK_STREAM | Socket.SOCK_CLOEXEC, 0);
        check(fd, "socket");
        listenFd = fd;
        int bound;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(ValueLayout.JAVA_INT);
            one.set(ValueLayout.JAVA_INT, 0, 1);
            check(Socket.setsockopt(fd, Socket.SOL_SOCKET, Socket.SO_REUSEADDR, one, 4), "setsockopt(SO_REUSEADDR)");
            MemorySegment addr = a.allocate(SockAddr.STORAGE_SIZE, 8);
            InetSocketAddress want = new InetSocketAddress(host, port);
            if (want.isUnresolved() || want.getAddress().getAddress().length != 4) {
                throw new IOException("UringEchoServer binds IPv4 addresses only: " + host);
            }
            int len = SockAddr.write(want, addr);
            check(Socket.bind(fd, addr, len), "bind(" + host + ":" + port + ")");
            check(Socket.listen(fd, 1024), "listen");
            MemorySegment alen = a.allocate(ValueLayout.JAVA_INT);
            alen.set(ValueLayout.JAVA_INT, 0, SockAddr.STORAGE_SIZE);
            check(Socket.getsockname(fd, addr, alen), "getsockname");
            bound = SockAddr.read(addr).getPort();
        }
        int efd = EventFd.eventfd(0, EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK);
        check(efd, "eventfd");
        wakeFd = efd;
        ring.pollAdd(efd, Poll.POLLIN, OP_WAKE << 56, false);
        ring.acceptMultishot(fd, Socket.SOCK_CLOEXEC, OP_ACCEPT << 56);
        return bound;
    }

    private static void check(int r, String call) throws IOException {
        if (r < 0) {
            throw new IOException(call + ": " + Errno.name(-r) + " (" + Errno.description(-r) + ")");
        }
    }

    private void loop() {
        while (!closing) {
            int r = ring.submitAndWait(-1);
            if (r < 0 && r != -Errno.EINTR && r != -Errno.ETIME && r != -Errno.EBUSY) {
                System.err.println("UringEchoServer: io_uring_enter: " + Errno.name(-r));
                return;
            }
            int head = ring.cqHead();
            int tail = ring.cqTail();
            for (int i = head; i != tail; i++) {
                complete(ring.userData(i), ring.res(i), ring.flags(i));
            }
            ring.cqAdvance(tail);
        }
    }

    private void complete(long userData, int res, int flags) {
        int op = (int) (userData >>> 56);
        int fd = (int) userData;
        switch (op) {
            case (int) OP_ACCEPT -> {
                if (res >= 0) {
                    accepted(res);
                }
                if ((flags & IoUring.IORING_CQE_F_MORE) == 0 && !closing) {
                    sqe();
                    ring.acceptMultishot(listenFd, Socket.SOCK_CLOEXEC, OP_ACCEPT << 56);
                }
            }
            case (int) OP_RECV -> received(conns[fd], res, flags);
            case (int) OP_SEND -> sent(conns[fd], (int) (userData >>> 32) & 0xFFFF, res);
            default -> { }   // OP_WAKE: the loop checks closing
        }
    }

    private void accepted(int fd) {
        try (Arena a = Arena.ofConfined()) {   // once per connection, not per message
            MemorySegment one = a.allocate(ValueLayout.JAVA_INT);
            one.set(ValueLayout.JAVA_INT, 0, 1);
            Socket.setsockopt(fd, Socket.IPPROTO_TCP, Socket.TCP_NODELAY, one, 4);
        }
        if (fd >= conns.length) {
            conns = Arrays.copyOf(conns, Math.max(fd + 1, conns.length * 2));
        }
        Conn c = new Conn(fd);
        conns[fd] = c;
        armRecv(c);
    }

    private void armRecv(Conn c) {
        sqe();
        ring.recvMultishot(c.fd, GROUP, (OP_RECV << 56) | c.fd);
        c.recvArmed = true;
    }

    private void received(Conn c, int res, int flags) {
        boolean more = (flags & IoUring.IORING_CQE_F_MORE) != 0;
        if (!more) {
            c.recvArmed = false;
        }
        if (res > 0) {
            int bid = flags >>> IoUring.IORING_CQE_BUFFER_SHIFT;
            if (c.eof) {
                buffers.recycle(bid);      // closing after a failed send: nobody to echo to
            } else {
                sendLength[bid] = res;
                sendOffset[bid] = 0;
                nextInQueue[bid] = -1;
                if (c.queueHead < 0) {
                    c.queueHead = bid;
                    c.queueTail = bid;
                    sendHead(c);
                } else {
                    nextInQueue[c.queueTail] = bid;
                    c.queueTail = bid;
                }
                if (!more) {
                    armRecv(c);            // the kernel ended the multishot request: go on
                }
                return;
            }
        } else if (res == -Errno.ENOBUFS && !c.eof) {
            if (!c.isStarved) {            // no buffer left: queue the RECV again when one comes back
                c.isStarved = true;
                c.nextStarved = starved;
                starved = c;
            }
            return;
        } else {
            // 0: end of stream; < 0: reset or another error.
            if ((flags & IoUring.IORING_CQE_F_BUFFER) != 0) {
                buffers.recycle(flags >>> IoUring.IORING_CQE_BUFFER_SHIFT);
            }
            c.eof = true;
        }
        if (c.eof && !c.recvArmed) {
            finish(c);
        }
    }

    private void sendHead(Conn c) {
        int bid = c.queueHead;
        sqe();
        ring.send(c.fd, buffers.address(bid) + sendOffset[bid], sendLength[bid] - sendOffset[bid],
                Socket.MSG_NOSIGNAL, (OP_SEND << 56) | ((long) bid << 32) | c.fd);
    }

    private void sent(Conn c, int bid, int res) {
        if (res > 0 && !c.eof) {
            sendOffset[bid] += res;
            if (sendOffset[bid] < sendLength[bid]) {
                sendHead(c);               // short send: the rest of the same buffer
                return;
            }
        } else if (res <= 0 && !c.eof) {
            c.eof = true;                  // the peer is gone; end the RECV too (it completes with 0)
            Socket.shutdown(c.fd, Socket.SHUT_RDWR);
        }
        c.queueHead = nextInQueue[bid];
        recycle(bid);
        if (c.eof) {
            finish(c);
        } else if (c.queueHead >= 0) {
            sendHead(c);
        }
    }

    private void recycle(int bid) {
        buffers.recycle(bid);
        while (starved != null) {          // a buffer is back: RECVs that ran out go again
            Conn s = starved;
            starved = s.nextStarved;
            s.isStarved = false;
            s.nextStarved = null;
            if (!s.eof && !s.recvArmed) {
                armRecv(s);
            }
        }
    }

    /**
     * The connection is done: the queued buffers behind the one in flight go back; once
     * neither a RECV nor a SEND is in flight (so no completion can name its fd any more) the
     * fd is closed. A connection has a SEND in flight exactly when its queue is not empty.
     */
    private void finish(Conn c) {
        if (c.queueHead >= 0) {
            int b = nextInQueue[c.queueHead];
            while (b >= 0) {
                int n = nextInQueue[b];
                buffers.recycle(b);
                b = n;
            }
            nextInQueue[c.queueHead] = -1;
            c.queueTail = c.queueHead;
            return;                        // sent() calls again when the head completes
        }
        if (c.recvArmed || conns[c.fd] != c) {
            return;
        }
        Unistd.close(c.fd);
        conns[c.fd] = null;
    }

    private void sqe() {
        if (ring.sqFull()) {
            ring.submit();
        }
    }

    private void tearDown() {
        // The ring's requests hold the sockets' files until the kernel has torn the ring down,
        // which it does asynchronously: shut them down first, so that the port is free and the
        // peers see the end of stream when close() returns.
        for (Conn c : conns) {
            if (c != null) {
                Socket.shutdown(c.fd, Socket.SHUT_RDWR);
                Unistd.close(c.fd);
            }
        }
        if (listenFd >= 0) {
            Socket.shutdown(listenFd, Socket.SHUT_RDWR);
            Unistd.close(listenFd);
            listenFd = -1;
        }
        if (buffers != null) {
            buffers.close();
        }
        if (ring != null) {
            ring.close();
        }
        int w = wakeFd;
        if (w >= 0) {
            wakeFd = -1;
            Unistd.close(w);
        }
    }

    @Override
    public synchronized void close() {
        if (started == null || closing) {
            return;
        }
        closing = true;
        int w = wakeFd;
        if (w >= 0) {
            EventFd.write(w, 1);
        }
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
