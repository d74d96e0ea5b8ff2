package dev.uloop.net;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tests' echo protocol: writes back what it receives and, after the peer's EOF, closes
 * once everything is flushed. With backpressure ({@code paced}) a peer that does not read
 * stops its own input from being read. It records what the tests look at.
 */
class Echo implements Protocol {
    final boolean paced;
    final AtomicLong received = new AtomicLong();
    final AtomicLong maxQueued = new AtomicLong();
    final CompletableFuture<Transport> made = new CompletableFuture<>();
    final CompletableFuture<Throwable> lost = new CompletableFuture<>();
    volatile int pauses;
    Transport t;

    /** An echo with backpressure. */
    Echo() {
        this(true);
    }

    /** An echo, with backpressure when {@code paced}. */
    Echo(boolean paced) {
        this.paced = paced;
    }

    @Override
    public void connectionMade(Transport transport) {
        t = transport;
        made.complete(transport);
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        received.addAndGet(data.remaining());
        t.write(data);
        maxQueued.accumulateAndGet(t.writeBufferSize(), Math::max);
    }

    @Override
    public boolean eofReceived() {
        t.close();          // flush what is queued, then close
        return true;
    }

    @Override
    public void pauseWriting() {
        pauses++;
        if (paced) {
            t.pauseReading();
        }
    }

    @Override
    public void resumeWriting() {
        if (paced) {
            t.resumeReading();
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        lost.complete(cause);
    }
}
