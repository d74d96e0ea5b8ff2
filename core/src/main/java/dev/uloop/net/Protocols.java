package dev.uloop.net;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Protocols written as lambdas, for the simple cases; each callback is given the
 * connection's {@link Transport}, so nothing needs to be stored (as Netty passes its
 * context, or Vert.x its socket). A builder is a {@code Supplier<Protocol>} that makes a
 * fresh protocol per connection, so it goes straight to {@link TcpServer#listen}:
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="protocols"}
 *
 * For state per connection, or the flow-control callbacks, implement {@link Protocol}.
 */
public final class Protocols {
    private Protocols() {}

    /**
     * A builder whose protocols only handle received data.
     *
     * @param onData called with the transport and the bytes (valid during the call only)
     * @return the builder
     */
    public static Builder onData(BiConsumer<Transport, ByteBuffer> onData) {
        return new Builder().onData(onData);
    }

    /**
     * A builder whose protocols act when the connection is made (and ignore what arrives).
     *
     * @param onConnect called with the transport of each new connection
     * @return the builder
     */
    public static Builder onConnect(Consumer<Transport> onConnect) {
        return new Builder().onConnect(onConnect);
    }

    /** Protocols from lambdas; unset callbacks do what {@link Protocol}'s defaults do. */
    public static final class Builder implements Supplier<Protocol> {
        private Consumer<Transport> onConnect = t -> { };
        private BiConsumer<Transport, ByteBuffer> onData = (t, d) -> { };
        private Predicate<Transport> onEof = t -> false;
        private BiConsumer<Transport, Throwable> onLost = (t, c) -> { };

        private Builder() {
        }

        /**
         * What to do when a connection is made.
         *
         * @param onConnect called with the new connection's transport
         * @return this builder
         */
        public Builder onConnect(Consumer<Transport> onConnect) {
            this.onConnect = Objects.requireNonNull(onConnect, "onConnect");
            return this;
        }

        /**
         * What to do with received bytes.
         *
         * @param onData called with the transport and the bytes (valid during the call only)
         * @return this builder
         */
        public Builder onData(BiConsumer<Transport, ByteBuffer> onData) {
            this.onData = Objects.requireNonNull(onData, "onData");
            return this;
        }

        /**
         * What to do at the peer's EOF; by default the connection closes.
         *
         * @param onEof returns true to keep the connection open (to write more, then close it)
         * @return this builder
         */
        public Builder onEof(Predicate<Transport> onEof) {
            this.onEof = Objects.requireNonNull(onEof, "onEof");
            return this;
        }

        /**
         * What to do when the connection is gone.
         *
         * @param onLost called with the transport and the cause: null for a clean close, else
         *               the failure (a {@link java.net.SocketException} for a reset...)
         * @return this builder
         */
        public Builder onLost(BiConsumer<Transport, Throwable> onLost) {
            this.onLost = Objects.requireNonNull(onLost, "onLost");
            return this;
        }

        /**
         * A new protocol for one connection, with the callbacks set so far.
         *
         * @return the protocol
         */
        @Override
        public Protocol get() {
            Consumer<Transport> connect = onConnect;
            BiConsumer<Transport, ByteBuffer> data = onData;
            Predicate<Transport> eof = onEof;
            BiConsumer<Transport, Throwable> lost = onLost;
            return new Protocol() {
                private Transport t;

                @Override
                public void connectionMade(Transport transport) {
                    t = transport;
                    connect.accept(transport);
                }

                @Override
                public void dataReceived(ByteBuffer bytes) {
                    data.accept(t, bytes);
                }

                @Override
                public boolean eofReceived() {
                    return eof.test(t);
                }

                @Override
                public void connectionLost(Throwable cause) {
                    lost.accept(t, cause);
                }
            };
        }
    }
}
