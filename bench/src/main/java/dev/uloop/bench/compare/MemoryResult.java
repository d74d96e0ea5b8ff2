package dev.uloop.bench.compare;

/**
 * What N idle TCP connections cost a server process, against the same process with none.
 *
 * @param server          server id
 * @param connections     idle connections held
 * @param heapBytes       live heap after a full GC (GC.class_histogram's total) with them
 * @param nativeBytes     NMT committed bytes outside the Java heap with them
 * @param rssBytes        the process's resident set with them
 * @param heapPerConn     (heapBytes - baseline) / connections
 * @param nativePerConn   (nativeBytes - baseline) / connections
 * @param rssPerConn      (rssBytes - baseline) / connections
 * @param nativeBreakdown the NMT categories that grew most, e.g. {@code Other +1.2 MB, Thread +0.5 MB}
 * @param note            anything odd, or why it failed
 */
public record MemoryResult(String server, int connections, long heapBytes, long nativeBytes, long rssBytes,
                           double heapPerConn, double nativePerConn, double rssPerConn, String nativeBreakdown,
                           String note) {}
