/**
 * uloop: one event loop over epoll, io_uring (readiness mode), poll and select, calling the
 * kernel through the Foreign Function &amp; Memory API. Run with
 * {@code --enable-native-access=dev.uloop} (or {@code ALL-UNNAMED} on the class path).
 */
module dev.uloop {
    exports dev.uloop;
    exports dev.uloop.net;
}
