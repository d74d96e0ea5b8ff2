/**
 * What a server needs to run as a system daemon: {@link dev.uloop.daemon.Privileges}, to
 * give up root once its ports are bound (as chronyd {@code -u} and ntpd {@code -u} do).
 */
package dev.uloop.daemon;
