package dev.uloop.net;

import dev.uloop.daemon.LogThrottle;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Connection limits, as xinetd's {@code instances} and {@code per_source}: at most
 * {@code maxConnections} open at once, and at most {@code maxPerSource} from one client IP
 * address. A server asks {@link #tryAcquire} for each connection it accepts, closes it at
 * once when refused, and gives the slot back with {@link #release} when the connection
 * ends.
 *
 * {@snippet class="dev.uloop.snippets.NetSnippets" region="limits"}
 *
 * <p>{@link TcpServer} and {@link TcpServerGroup} make one from
 * {@link SocketOptions#maxConnections(int)} and
 * {@link SocketOptions#maxConnectionsPerSource(int)} (one for the whole group, so the
 * limits hold for all its loops together); a server on blocking sockets can use one
 * directly. Refusals are counted, and logged through a {@link LogThrottle}: a WARNING at
 * most once every 10 seconds for each limit, with the number refused in between, never one
 * line per refused connection.
 *
 * <p>Thread-safe. Memory is bounded by the open connections: a source is forgotten when its
 * last connection ends.
 */
public final class ConnectionLimiter {
    private static final System.Logger LOG = System.getLogger("uloop.net.TcpServer");

    private final int maxConnections;            // 0: no limit
    private final int maxPerSource;              // 0: no limit
    private final Map<InetAddress, int[]> perSource = new HashMap<>();   // open connections by source
    private int open;
    private long refusedTotal;                   // over maxConnections
    private long refusedSource;                  // over maxPerSource
    private final LogThrottle throttle = new LogThrottle(LOG);   // refusals: one line per kind per 10 s
    private final String overTotal;              // the line for a refusal over maxConnections

    /**
     * Limits.
     *
     * @param maxConnections connections open at once, 0 for no limit
     * @param maxPerSource   connections open at once from one IP address, 0 for no limit
     * @throws IllegalArgumentException for a negative limit
     */
    public ConnectionLimiter(int maxConnections, int maxPerSource) {
        if (maxConnections < 0) {
            throw new IllegalArgumentException("negative connection limit " + maxConnections);
        }
        if (maxPerSource < 0) {
            throw new IllegalArgumentException("negative per-source connection limit " + maxPerSource);
        }
        this.maxConnections = maxConnections;
        this.maxPerSource = maxPerSource;
        this.overTotal = "refusing a connection: the limit of " + maxConnections + " open connections is reached";
    }

    /**
     * Whether both limits are 0: a limiter that admits everything.
     *
     * @return true without limits
     */
    public boolean isUnlimited() {
        return maxConnections == 0 && maxPerSource == 0;
    }

    /**
     * Takes a slot for a new connection from {@code source}, or refuses it (counted, and
     * logged through the throttle). Every {@code true} must be matched by one
     * {@link #release} with the same source.
     *
     * @param source the client's IP address; null counts against the total limit only
     * @return true when admitted
     */
    public boolean tryAcquire(InetAddress source) {
        boolean total;
        synchronized (this) {
            int[] fromSource = source == null || maxPerSource == 0 ? null : perSource.get(source);
            total = maxConnections > 0 && open >= maxConnections;
            if (total) {
                refusedTotal++;
            } else if (fromSource != null && fromSource[0] >= maxPerSource) {
                refusedSource++;
            } else {
                open++;
                if (fromSource != null) {
                    fromSource[0]++;
                } else if (source != null && maxPerSource > 0) {
                    perSource.put(source, new int[] {1});
                }
                return true;
            }
        }
        if (total) {
            throttle.log(Level.WARNING, "total", overTotal);     // a constant line: nothing is built
        } else {
            throttle.log(Level.WARNING, "source", "refusing a connection from " + source.getHostAddress()
                    + ": the limit of " + maxPerSource + " open connections per address is reached");
        }
        return false;
    }

    /**
     * Gives back the slot of a connection that {@link #tryAcquire} admitted.
     *
     * @param source the same source as when it was admitted
     */
    public synchronized void release(InetAddress source) {
        if (open > 0) {
            open--;
        }
        if (source != null && maxPerSource > 0) {
            int[] n = perSource.get(source);
            if (n != null && --n[0] <= 0) {
                perSource.remove(source);
            }
        }
    }

    /**
     * The limit on open connections.
     *
     * @return connections, 0 for no limit
     */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * The limit on open connections from one IP address.
     *
     * @return connections, 0 for no limit
     */
    public int maxPerSource() {
        return maxPerSource;
    }

    /**
     * Connections admitted and not released yet.
     *
     * @return how many
     */
    public synchronized int openCount() {
        return open;
    }

    /**
     * Connections refused, over either limit.
     *
     * @return how many since the limiter was made
     */
    public synchronized long refusedCount() {
        return refusedTotal + refusedSource;
    }

    /**
     * Connections refused because {@link #maxConnections()} were open.
     *
     * @return how many
     */
    public synchronized long refusedOverTotalCount() {
        return refusedTotal;
    }

    /**
     * Connections refused because {@link #maxPerSource()} were open from their source.
     *
     * @return how many
     */
    public synchronized long refusedOverSourceCount() {
        return refusedSource;
    }

    /**
     * Sources with a connection open (only counted with a per-source limit).
     *
     * @return how many
     */
    public synchronized int sourceCount() {
        return perSource.size();
    }

    @Override
    public String toString() {
        return "ConnectionLimiter[max " + maxConnections + ", per source " + maxPerSource + ", " + openCount()
                + " open, " + refusedCount() + " refused]";
    }
}
