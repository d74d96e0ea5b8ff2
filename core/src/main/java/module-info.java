/**
 * uloop: one event loop over epoll, io_uring (readiness and completion modes), poll and
 * select, calling the kernel through the Foreign Function &amp; Memory API. Run with
 * {@code --enable-native-access=dev.uloop} (or {@code ALL-UNNAMED} on the class path).
 *
 * <p>Exports the loop ({@code dev.uloop}), the network layer ({@code dev.uloop.net}) and what a
 * daemon needs ({@code dev.uloop.daemon});
 * everything under {@code dev.uloop.internal} is the implementation.
 */
module dev.uloop {
    exports dev.uloop;
    exports dev.uloop.net;
    exports dev.uloop.daemon;
    requires jdk.jfr;
}
