package dev.uloop.net;

import dev.uloop.EventLoopGroup;
import dev.uloop.internal.net.NativeSocket;
import dev.uloop.internal.net.Sockets;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * One TCP port served by every loop of an {@link EventLoopGroup}: a {@link TcpServer} per
 * loop, each connection served from start to end by one loop.
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="tcpGroup"}
 *
 * <ul>
 * <li><b>SO_REUSEPORT</b> (where the kernel has it, the default): one listening socket per
 *     loop, all bound to the same port; the kernel spreads the incoming connections over
 *     them by a hash of the two ends' addresses and ports, and each loop accepts its own.
 *     With port 0 the first socket gets a free port and the others bind that one.</li>
 * <li><b>One acceptor</b> (without SO_REUSEPORT, or with
 *     {@link SocketOptions#reusePort(boolean) reusePort(false)}): one listening socket on
 *     loop 0, which hands each accepted connection to the loops in turn (loop 0 included);
 *     the connection is registered on its loop's thread, through its {@code execute}.</li>
 * </ul>
 * A group of one loop listens exactly like {@link TcpServer#listen}: one socket, SO_REUSEPORT
 * only if asked for.
 *
 * <p>A busy port is an error as for a single server ({@code 127.0.0.1:7007 is already in
 * use}), also when the other holder set SO_REUSEPORT too. The server adds itself to the
 * group's {@linkplain EventLoopGroup#shutdown graceful shutdown}: each loop stops accepting,
 * lets its connections flush what they have queued, and closes them, aborting what is left
 * at the deadline.
 *
 * <p>Its methods are safe from any thread.
 */
public final class TcpServerGroup implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("uloop.net.TcpServer");

    private final EventLoopGroup group;
    private final TcpServer[] servers;
    private final boolean sharedPort;
    private int nextLoop;             // the single acceptor's turn; loop 0's thread only

    private TcpServerGroup(EventLoopGroup group, TcpServer[] servers, boolean sharedPort) {
        this.group = group;
        this.servers = servers;
        this.sharedPort = sharedPort;
    }

    /**
     * Listens on every loop of a group, with default options.
     *
     * @param group   the loops; before {@link EventLoopGroup#start()}, or after it from a
     *                thread that is not one of its loops
     * @param address where to listen; port 0 picks a free port (the same for every loop)
     * @param factory makes one protocol per connection; called on the connection's loop, so
     *                from several threads at once
     * @return the server
     * @throws java.net.BindException for a busy or privileged port, with a message that says so
     * @throws IOException            for other failures to listen; nothing is left open
     */
    public static TcpServerGroup listen(EventLoopGroup group, InetSocketAddress address,
                                        Supplier<? extends Protocol> factory) throws IOException {
        return listen(group, address, new SocketOptions(), factory);
    }

    /**
     * Listens on every loop of a group.
     *
     * @param group   the loops; before {@link EventLoopGroup#start()}, or after it from a
     *                thread that is not one of its loops
     * @param address where to listen; port 0 picks a free port (the same for every loop)
     * @param options socket options; {@link SocketOptions#reusePort(boolean)} chooses between
     *                a socket per loop and one acceptor
     * @param factory makes one protocol per connection; called on the connection's loop, so
     *                from several threads at once
     * @return the server
     * @throws java.net.BindException for a busy or privileged port, with a message that says so
     * @throws IOException            for other failures to listen (among them
     *                                {@code reusePort(true)} where the kernel lacks SO_REUSEPORT);
     *                                nothing is left open
     * @throws IllegalStateException  if the group is shut down
     */
    public static TcpServerGroup listen(EventLoopGroup group, InetSocketAddress address, SocketOptions options,
                                        Supplier<? extends Protocol> factory) throws IOException {
        OnLoops.checkSetUp(group, address, options, factory);
        int n = group.size();
        boolean shared = options.sharePort(n);
        if (n > 1 && !shared && options.reusePort == null) {
            LOG.log(Level.DEBUG, "SO_REUSEPORT is not available: one acceptor on loop 0 serves {0}", group.name());
        }
        TcpServer[] servers = new TcpServer[n];
        ConnectionLimiter limiter = options.newLimiter();
        if (shared) {
            NativeSocket[] sockets = Sockets.openBoundShared(address, Sockets.STREAM, n, options.reuseAddress,
                    options.dualStack);
            int made = 0;
            try {
                while (made < n) {
                    servers[made] = TcpServer.onSocket(group.loop(made), sockets[made], options, limiter, factory);
                    made++;
                }
            } catch (RuntimeException e) {
                for (int i = 0; i < n; i++) {
                    if (i < made) {
                        servers[i].closeUnregistered();
                    } else if (i > made) {
                        sockets[i].close();         // onSocket closed sockets[made] itself
                    }
                }
                throw e;
            }
        } else {
            NativeSocket listener = Sockets.openBound(address, Sockets.STREAM, options.reuseAddress,
                    options.reusePortForOneSocket(), options.dualStack);
            servers[0] = TcpServer.onSocket(group.loop(0), listener, options, limiter, factory);
            for (int i = 1; i < n; i++) {
                servers[i] = TcpServer.withoutSocket(group.loop(i), servers[0].localAddress(), options, limiter,
                        factory);
            }
        }
        return start(group, servers, shared);
    }

    /**
     * Serves a listening TCP socket this process inherited (from systemd's socket
     * activation, say) on every loop of a group: loop 0 accepts, and hands the connections
     * to the loops in turn (loop 0 included), as a group without SO_REUSEPORT does. One
     * inherited socket cannot become one socket per loop: the others would have to be bound
     * anew, to a port that may need privileges this process no longer has.
     *
     * @param group   the loops; before {@link EventLoopGroup#start()}, or after it from a
     *                thread that is not one of its loops
     * @param socket  a listening TCP socket; the server owns it now
     * @param options socket options; TCP_NODELAY applies, the socket is bound and listening already
     * @param factory makes one protocol per connection; called on the connection's loop
     * @return the server
     * @throws IOException           when the socket is not a listening TCP socket
     * @throws IllegalStateException if the group is shut down, or the socket served already
     */
    public static TcpServerGroup adopt(EventLoopGroup group, InheritedSocket socket, SocketOptions options,
                                       Supplier<? extends Protocol> factory) throws IOException {
        OnLoops.checkSetUp(group, socket.localAddress(), options, factory);
        int n = group.size();
        TcpServer[] servers = new TcpServer[n];
        ConnectionLimiter limiter = options.newLimiter();
        servers[0] = TcpServer.onListening(group.loop(0), socket.takeListener(), options, limiter, factory);
        for (int i = 1; i < n; i++) {
            servers[i] = TcpServer.withoutSocket(group.loop(i), servers[0].localAddress(), options, limiter, factory);
        }
        return start(group, servers, false);
    }

    /** Registers the servers on their loops (loop 0 handing off when it is the one acceptor) and their shutdown. */
    private static TcpServerGroup start(EventLoopGroup group, TcpServer[] servers, boolean shared) {
        int n = servers.length;
        TcpServerGroup g = new TcpServerGroup(group, servers, shared);
        try {
            OnLoops.runAndWait(group, i -> {
                if (i == 0 && !shared && n > 1) {
                    servers[0].handOffTo(g::handOff);
                }
                servers[i].register();
            });
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
        for (int i = 0; i < n; i++) {
            int index = i;
            if (shared || i == 0) {
                group.addShutdownHook(i, servers[i]::shutdown);
            } else {
                group.addShutdownHook(i, (remaining, done) -> g.shutdownAfterAcceptor(index, remaining, done));
            }
        }
        return g;
    }

    /** On loop 0's thread: gives an accepted connection to the next loop in turn. */
    private void handOff(NativeSocket socket) {
        int target = nextLoop;
        nextLoop = (target + 1) % servers.length;
        if (target == 0) {
            servers[0].adoptHandedOver(socket);
            return;
        }
        try {
            group.execute(target, () -> servers[target].adoptHandedOver(socket));
        } catch (RejectedExecutionException e) {
            servers[0].drop(socket);          // that loop has ended
        }
    }

    /**
     * The shutdown hook of a loop served by the single acceptor: first close the acceptor
     * (on loop 0), then shut this loop's server down. Going through loop 0 puts the shutdown
     * behind every connection loop 0 handed over before it stopped accepting, so none
     * arrives after its loop stopped.
     */
    private void shutdownAfterAcceptor(int i, Duration remaining, Runnable done) {
        long deadline = System.nanoTime() + remaining.toNanos();
        Runnable here = () -> servers[i].shutdown(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), done);
        try {
            group.execute(0, () -> {
                servers[0].close();
                try {
                    group.execute(i, here);
                } catch (RejectedExecutionException e) {
                    done.run();           // loop i has ended already
                }
            });
        } catch (RejectedExecutionException e) {
            here.run();                   // loop 0 has ended: nothing more can come from it
        }
    }

    /**
     * The address every loop listens on (with the real port when 0 was asked for).
     *
     * @return the local address
     */
    public InetSocketAddress localAddress() {
        return servers[0].localAddress();
    }

    /**
     * Whether each loop has a listening socket of its own (SO_REUSEPORT), rather than one
     * acceptor on loop 0 (or a group of one loop).
     *
     * @return true with a socket per loop
     */
    public boolean sharesPort() {
        return sharedPort;
    }

    /**
     * How many loops serve the port: the group's size.
     *
     * @return the number of loops
     */
    public int size() {
        return servers.length;
    }

    /**
     * Connections accepted since the server started, on all loops.
     *
     * @return how many
     */
    public long acceptedCount() {
        return OnLoops.sum(servers, TcpServer::acceptedCount);
    }

    /**
     * Bytes the connections of all loops received since the server started.
     *
     * @return how many
     */
    public long bytesReceived() {
        return OnLoops.sum(servers, TcpServer::bytesReceived);
    }

    /**
     * Bytes the protocols of all loops wrote (queued or sent) since the server started.
     *
     * @return how many
     */
    public long bytesWritten() {
        return OnLoops.sum(servers, TcpServer::bytesWritten);
    }

    /**
     * Connections served by one loop since the server started.
     *
     * @param loop the loop's index in the group
     * @return how many
     */
    public long acceptedCount(int loop) {
        return servers[Objects.checkIndex(loop, servers.length)].acceptedCount();
    }

    /**
     * Connections refused over the {@linkplain SocketOptions#maxConnections connection
     * limits}, which hold for all the loops together.
     *
     * @return how many, 0 without limits
     */
    public long refusedCount() {
        return servers[0].refusedCount();
    }

    /**
     * The limiter of the {@linkplain SocketOptions#maxConnections connection limits}, one for
     * all the loops, with its counters.
     *
     * @return the limiter, or null without limits
     */
    public ConnectionLimiter connectionLimiter() {
        return servers[0].connectionLimiter();
    }

    /**
     * Connections closed by the {@linkplain SocketOptions#idleTimeout idle timeout}, on all loops.
     *
     * @return how many
     */
    public long idleClosedCount() {
        return OnLoops.sum(servers, TcpServer::idleClosedCount);
    }

    /**
     * Connections currently open, on all loops.
     *
     * @return how many
     */
    public int connectionCount() {
        int sum = 0;
        for (TcpServer s : servers) {
            sum += s.connectionCount();
        }
        return sum;
    }

    /**
     * Stops accepting on every loop: the listening sockets are closed; open connections go on
     * (the group's shutdown closes them). Waits for the loops when called from outside the
     * group. Idempotent.
     */
    @Override
    public void close() {
        OnLoops.runQuietly(group, i -> servers[i].close());
    }

    @Override
    public String toString() {
        return "TcpServerGroup[" + Addresses.format(localAddress()) + ", " + servers.length + " loops, "
                + (sharedPort ? "SO_REUSEPORT" : servers.length > 1 ? "one acceptor" : "one socket") + ", "
                + connectionCount() + " connections]";
    }
}
