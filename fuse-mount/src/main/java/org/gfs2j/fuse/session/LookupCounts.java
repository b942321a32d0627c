package org.gfs2j.fuse.session;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import org.gfs2j.fuse.protocol.Fuse;

/**
 * The kernel's lookup references per node id (spec §9.1): +1 per entry reply that reached the
 * kernel, −nlookup per FORGET. The root is never counted (the kernel never forgets it).
 */
final class LookupCounts {
    private final ConcurrentHashMap<Long, Long> counts = new ConcurrentHashMap<>();

    void add(long nodeid, long n) {
        if (nodeid == 0 || nodeid == Fuse.ROOT_ID) {
            return;
        }
        counts.merge(nodeid, n, Long::sum);
    }

    /** Subtracts; returns true if the count reached zero (the kernel forgot the inode). */
    boolean forget(long nodeid, long n) {
        if (nodeid == 0 || nodeid == Fuse.ROOT_ID) {
            return false;
        }
        boolean[] zero = {false};
        counts.compute(nodeid, (k, v) -> {
            long left = (v == null ? 0 : v) - n;
            if (left <= 0) {
                zero[0] = true;
                return null;
            }
            return left;
        });
        return zero[0];
    }

    /** Undo a count for an entry reply that never reached the kernel. */
    boolean rollback(long nodeid, long n) {
        return forget(nodeid, n);
    }

    long get(long nodeid) {
        return counts.getOrDefault(nodeid, 0L);
    }

    /** Clears every count (the connection ended); returns the node ids that were referenced. */
    List<Long> drain() {
        List<Long> ids = new ArrayList<>(counts.keySet());
        counts.clear();
        return ids;
    }
}
