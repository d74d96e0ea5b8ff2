package dev.uloop.internal.net;

/** Where an {@link AcceptorEngine} hands the sockets it accepted (the call up). */
@FunctionalInterface
public interface AcceptorOwner {
    /** A new connection, non-blocking and close-on-exec, now owned by the callee. */
    void accepted(NativeSocket socket);
}
