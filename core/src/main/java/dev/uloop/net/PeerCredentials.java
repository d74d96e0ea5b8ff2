package dev.uloop.net;

/**
 * Who is at the other end of a Unix domain stream connection, as the kernel recorded it when
 * the connection was made ({@code SO_PEERCRED}): the peer process's id and its effective user
 * and group ids. The kernel vouches for them, so a server can decide what a client may do by
 * its uid, as D-Bus and systemd do. See {@link Transport#peerCredentials()}.
 *
 * @param pid the peer's process id (of the process that connected, or listened)
 * @param uid its effective user id
 * @param gid its effective group id
 */
public record PeerCredentials(int pid, int uid, int gid) {
}
