package org.gfs2j.fs.alloc;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.gfs2j.fs.glock.Holder;

/**
 * Rgrp glocks (EX) taken before a transaction begins, as docs/lock-order.md wants (rgrp glocks,
 * row 5, before the journal reservation, row 6): from {@link Allocator#reserveRgrps} (allocation:
 * enough free space) or {@link Allocator#lockRgrpsForFree} (the rgrps of blocks to free). Hand
 * them to the transaction with {@link Allocator#use}; close this after the transaction ended.
 */
public final class RgrpLocks implements AutoCloseable {
    final TreeMap<Long, Rgrp> rgrps = new TreeMap<>();
    final TreeMap<Long, Holder> holders = new TreeMap<>();
    private boolean closed;

    RgrpLocks() {
    }

    /** Addresses of the rgrps held, ascending. */
    public List<Long> addresses() {
        return new ArrayList<>(rgrps.keySet());
    }

    boolean isClosed() {
        return closed;
    }

    /** Releases the glocks (after the transaction using them ended), highest first. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Holder h : holders.descendingMap().values()) {
            h.close();
        }
    }
}
