package org.gfs2j.journal.log;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gfs2j.journal.format.LogDescriptor;
import org.gfs2j.journal.format.RevokeCodec;

/**
 * Everything one log flush writes: the newest image of each logged block, the revokes and the
 * ordered data of all transactions committed since the previous flush. A block logged again
 * replaces its earlier image; a revoke cancels an image of the same flush (the block was freed)
 * and a later image cancels a revoke (the block was reused as metadata).
 */
final class FlushContents {
    private final Map<Long, ByteBuffer> metadata = new LinkedHashMap<>();
    private final Map<Long, ByteBuffer> jdata = new LinkedHashMap<>();
    private final Set<Long> revokes = new LinkedHashSet<>();
    private final List<OrderedData> ordered = new ArrayList<>();
    private long lastTicket;
    private long firstCommitMillis = -1;
    private int transactions;

    void addMetadata(long block, ByteBuffer image) {
        revokes.remove(block);
        jdata.remove(block);
        metadata.put(block, image);
    }

    void addJournaledData(long block, ByteBuffer image) {
        revokes.remove(block);
        metadata.remove(block);
        jdata.put(block, image);
    }

    void addRevoke(long block) {
        metadata.remove(block);
        jdata.remove(block);
        revokes.add(block);
    }

    void addOrdered(OrderedData data) {
        ordered.add(data);
    }

    void committed(long ticket, long nowMillis) {
        lastTicket = ticket;
        transactions++;
        if (firstCommitMillis < 0) {
            firstCommitMillis = nowMillis;
        }
    }

    /** The newest image of {@code block} in this flush (metadata or jdata), or null. */
    ByteBuffer image(long block) {
        ByteBuffer b = metadata.get(block);
        return b != null ? b : jdata.get(block);
    }

    boolean isRevoked(long block) {
        return revokes.contains(block);
    }

    boolean isEmpty() {
        return transactions == 0;
    }

    Map<Long, ByteBuffer> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    Map<Long, ByteBuffer> jdata() {
        return Collections.unmodifiableMap(jdata);
    }

    Set<Long> revokes() {
        return Collections.unmodifiableSet(revokes);
    }

    List<OrderedData> ordered() {
        return ordered;
    }

    long lastTicket() {
        return lastTicket;
    }

    long firstCommitMillis() {
        return firstCommitMillis;
    }

    int transactions() {
        return transactions;
    }

    /** Log blocks this flush takes, its commit header included. */
    int logBlocks(int bsize) {
        return logBlocks(bsize, metadata.size(), jdata.size(), revokes.size());
    }

    /** Log blocks of a flush with these counts, commit header included. */
    static int logBlocks(int bsize, long metadataBlocks, long jdataBlocks, long revokeCount) {
        long n = 1;
        n += metadataBlocks + ceilDiv(metadataBlocks, LogDescriptor.metadataCapacity(bsize));
        n += jdataBlocks + ceilDiv(jdataBlocks, LogDescriptor.jdataCapacity(bsize));
        n += RevokeCodec.blocksFor(bsize, revokeCount);
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
