package dev.uloop.services;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * How a UDP service treats one datagram: whether to answer, with what, and the counters
 * of what it dropped. Shared by the event-loop server ({@link UdpService}) and the
 * blocking one; called by the one thread that reads the socket.
 */
public interface DatagramAnswerer {
    /**
     * The reply to a datagram, or null to drop it.
     *
     * @param request      the datagram, position to limit; valid only during the call
     * @param from         its source
     * @param receiveNanos when it arrived (nanoseconds since the Unix epoch), or 0 when
     *                     {@link #wantsReceiveTime()} is false
     * @return the reply, position to limit, or null
     */
    ByteBuffer answer(ByteBuffer request, InetSocketAddress from, long receiveNanos);

    /**
     * Called with a reply just before it is sent, for a last change (an SNTP server stamps
     * its transmit time here).
     *
     * @param reply what {@link #answer} returned
     */
    default void beforeSend(ByteBuffer reply) {
    }

    /**
     * Whether {@link #answer} needs the receive time (and the socket should get kernel
     * receive timestamps).
     *
     * @return false unless overridden
     */
    default boolean wantsReceiveTime() {
        return false;
    }

    /**
     * The drop counters, for the summary line: for example
     * {@code "2 dropped (1 loop, 1 rate)"}.
     *
     * @return the text
     */
    String drops();

    /**
     * The drop counters by reason, for the metrics endpoint: for example {@code loop} and
     * {@code rate}; names are lower case with underscores.
     *
     * @return reason to count
     */
    default java.util.Map<String, Long> dropsByReason() {
        UdpGuard g = guard();
        return g == null ? java.util.Map.of()
                : java.util.Map.of("loop", g.loopDrops(), "rate", g.rateDrops());
    }

    /**
     * The loop-protection and rate-limit guard, when this answerer uses one.
     *
     * @return the guard or null
     */
    default UdpGuard guard() {
        return null;
    }

    /**
     * The small services' answerer: a {@link UdpGuard} decides, a {@link Responder} replies.
     *
     * @param responder the reply
     * @param guard     loop protection and rate limit
     * @return the answerer
     */
    static DatagramAnswerer guarded(Responder responder, UdpGuard guard) {
        return new DatagramAnswerer() {
            @Override
            public ByteBuffer answer(ByteBuffer request, InetSocketAddress from, long receiveNanos) {
                return guard.allow(from) ? responder.reply(request) : null;
            }

            @Override
            public String drops() {
                return (guard.loopDrops() + guard.rateDrops()) + " dropped (" + guard.loopDrops() + " loop, "
                        + guard.rateDrops() + " rate)";
            }

            @Override
            public UdpGuard guard() {
                return guard;
            }
        };
    }
}
