package dev.uloop.internal.net;

import dev.uloop.Events;
import dev.uloop.NativeException;
import java.nio.ByteBuffer;

/**
 * A connection's I/O on a readiness backend (epoll, io_uring polls, poll, select): it asks
 * the loop for IN while its owner wants input and for OUT only while bytes are queued;
 * reads go into the loop's read buffer and to the owner, writes go straight to the socket
 * and only the rest is queued, to be flushed when the socket is writable again.
 */
final class ReadinessStream extends SocketStream {
    private static final int READS_PER_EVENT = 4;

    private final Reactor loop;
    private final StreamOwner owner;
    private final WriteQueue queue;
    private int interest;            // what the loop watches for us
    private boolean lingering;       // output shut: discarding input until the peer's EOF
    private boolean closed;

    ReadinessStream(Reactor loop, NativeSocket socket, StreamOwner owner) {
        super(socket);
        this.loop = loop;
        this.owner = owner;
        this.queue = owner.queue();
    }

    @Override
    public void start() {
        loop.add(socket.fd(), Events.IN, this::onEvents);
        interest = Events.IN;
    }

    private void onEvents(int fd, int events) {
        if (lingering) {
            discardInput();
            return;
        }
        if ((events & Events.OUT) != 0) {
            flush();
        }
        if ((events & Events.IN) != 0 && owner.wantsInput()) {
            read();
        }
    }

    private void read() {
        for (int i = 0; i < READS_PER_EVENT && owner.wantsInput(); i++) {
            int n;
            try {
                n = socket.recv();
            } catch (NativeException e) {
                owner.lost(e);
                return;
            }
            if (n > 0) {
                owner.received(NativeSocket.received(n));
                if (!NativeSocket.filledReadBuffer(n)) {
                    return;
                }
            } else if (n == 0) {
                owner.eof();
                return;
            } else {
                return;      // AGAIN
            }
        }
    }

    // ------------------------------------------------------------ writing

    @Override
    public void write(ByteBuffer data) {
        int sent = 0;
        if (!queue.hasChunks()) {
            try {
                sent = socket.send(data);
            } catch (NativeException e) {
                owner.writeFailed(e);
                return;
            }
            if (sent == data.remaining()) {
                return;
            }
        }
        queue.add(data, sent);
        interestChanged();
    }

    @Override
    public void write(byte[] data, int off, int len) {
        int sent = 0;
        if (!queue.hasChunks()) {
            try {
                sent = socket.send(data, off, len);
            } catch (NativeException e) {
                owner.writeFailed(e);
                return;
            }
            if (sent == len) {
                return;
            }
        }
        queue.add(data, off, len, sent);
        interestChanged();
    }

    /** The socket is writable: send from the front of the queue until it takes no more. */
    private void flush() {
        ByteBuffer scratch = NativeSocket.writeBuffer();
        int size = NativeSocket.writeBufferSize();
        while (queue.hasChunks() && !closed) {
            int n = queue.copyTo(scratch, 0, size);
            int sent;
            try {
                sent = socket.sendWriteBuffer(n);
            } catch (NativeException e) {
                owner.lost(e);
                return;
            }
            queue.remove(sent);
            if (sent < n) {
                break;
            }
        }
        if (!closed) {
            owner.drained();
        }
    }

    @Override
    public void interestChanged() {
        if (closed || lingering) {
            return;
        }
        int want = (owner.wantsInput() ? Events.IN : 0) | (queue.hasChunks() ? Events.OUT : 0);
        if (want != interest) {
            loop.modify(socket.fd(), want);
            interest = want;
        }
    }

    @Override
    public void pauseReading() {
        interestChanged();
    }

    @Override
    public void resumeReading() {
        interestChanged();
    }

    // ------------------------------------------------------------ closing

    @Override
    public void linger() {
        lingering = true;
        if (interest != Events.IN) {
            loop.modify(socket.fd(), Events.IN);
            interest = Events.IN;
        }
    }

    private void discardInput() {
        for (int i = 0; i < READS_PER_EVENT && !closed; i++) {
            int n;
            try {
                n = socket.recv();
            } catch (NativeException e) {
                n = 0;           // an error ends the linger as the EOF does
            }
            if (n == NativeSocket.AGAIN) {
                return;
            }
            if (n == 0) {
                owner.lingerEnded();   // EOF (or an error): now the close is clean
                return;
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.remove(socket.fd());
        socket.close();
    }

}
