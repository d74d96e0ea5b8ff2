/**
 * TCP, UDP and Unix domain sockets on an event loop, in the style of asyncio's protocols and transports:
 * {@link dev.uloop.net.TcpServer} and {@link dev.uloop.net.Tcp#connect} give each connection
 * a {@link dev.uloop.net.Protocol}, which talks back through its
 * {@link dev.uloop.net.Transport} (writes queued per connection, with water marks);
 * {@link dev.uloop.net.UdpEndpoint} hands datagrams to a
 * {@link dev.uloop.net.DatagramProtocol}. Unix domain sockets get the same:
 * {@link dev.uloop.net.UnixServer} and {@link dev.uloop.net.Unix#connect} with the same
 * protocols and transports (and the peer's credentials), and
 * {@link dev.uloop.net.UnixDatagramEndpoint}. The same protocol code runs on every backend,
 * including io_uring-completion, where the kernel does the socket I/O. Nothing here shows a
 * file descriptor, but for {@link dev.uloop.net.InheritedSocket}: the way in for a socket
 * another process opened (systemd's socket activation, inetd's standard input).
 */
package dev.uloop.net;
