/**
 * What a server needs to run as a system daemon: {@link dev.uloop.daemon.Privileges}, to
 * give up root once its ports are bound (as chronyd {@code -u} and ntpd {@code -u} do);
 * {@link dev.uloop.daemon.SocketActivation}, the sockets systemd bound for it; and
 * {@link dev.uloop.daemon.SystemdNotifier}, to tell systemd it is ready and when it stops;
 * and {@link dev.uloop.daemon.LogThrottle}, so that a warning that recurs many times a
 * second (under attack, out of descriptors) leaves a readable log.
 * Sockets inherited this way, or from inetd, are {@link dev.uloop.net.InheritedSocket}s.
 */
package dev.uloop.daemon;
