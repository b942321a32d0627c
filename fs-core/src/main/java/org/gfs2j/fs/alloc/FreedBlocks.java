package org.gfs2j.fs.alloc;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Iterator;

/**
 * The blocks of one resource group that are FREE in the bitmap but were freed by a transaction
 * the log has not yet made durable (the role of the kernel's clone bitmap). They must not be
 * allocated: file data is written in place before the metadata that maps it commits, so if the
 * node crashed before the freeing transaction reached the log, replay would give the block back
 * to its old owner (a dinode, an indirect block, another file) while it holds the new data.
 *
 * <p>Frees are grouped in batches, one per transaction and rgrp. A batch is open (its ticket
 * unknown) until the transaction ends; {@link #seal} gives it a ticket at or after the
 * transaction's own, {@link #discard} drops it when the transaction aborts. A sealed batch is
 * released by {@link #releaseDurable} once the log's durable ticket reaches it. A block lies in at
 * most one batch: it cannot be allocated, so cannot be freed again, while it is in one.
 *
 * <p>Kept apart from the rgrp's loaded state: an aborted transaction reloads the rgrp, but the
 * frees of earlier committed transactions are still not durable. Guarded by the owning
 * {@link Rgrp}'s monitor.
 */
final class FreedBlocks {
    /** Frees of one transaction in one rgrp, as offsets in the rgrp's data area. */
    static final class Batch {
        private final BitSet rels = new BitSet();
        private long ticket = Long.MAX_VALUE; // open: the transaction has not committed
        private int count;

        boolean isSealed() {
            return ticket != Long.MAX_VALUE;
        }
    }

    private final BitSet waiting = new BitSet();
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    private int count;
    private int sealed;

    /** A new open batch, appended in commit order (one transaction changes an rgrp at a time). */
    Batch open() {
        Batch b = new Batch();
        batches.addLast(b);
        return b;
    }

    void add(Batch b, long rel) {
        int r = Math.toIntExact(rel);
        if (!waiting.get(r)) {
            waiting.set(r);
            b.rels.set(r);
            b.count++;
            count++;
        }
    }

    /** The transaction committed: its frees are durable once the log's durable ticket reaches {@code ticket}. */
    void seal(Batch b, long ticket) {
        if (!b.isSealed()) {
            sealed += b.count;
        }
        b.ticket = ticket;
    }

    /** The transaction aborted: the rgrp reloads from committed state, these frees never happened. */
    void discard(Batch b) {
        if (batches.remove(b)) {
            forget(b);
        }
    }

    /** Releases every sealed batch whose ticket is durable; returns how many blocks became allocatable. */
    int releaseDurable(long durableTicket) {
        int released = 0;
        for (Iterator<Batch> it = batches.iterator(); it.hasNext(); ) {
            Batch b = it.next();
            if (!b.isSealed() || b.ticket > durableTicket) {
                break; // batches are in commit order: the later ones are not durable either
            }
            it.remove();
            released += b.count;
            forget(b);
        }
        return released;
    }

    /** The glock left this node: its demote synced the log, so every sealed batch is durable. */
    void releaseSealed() {
        releaseDurable(Long.MAX_VALUE - 1);
    }

    private void forget(Batch b) {
        waiting.andNot(b.rels);
        count -= b.count;
        if (b.isSealed()) {
            sealed -= b.count;
        }
    }

    boolean contains(long rel) {
        return waiting.get((int) rel);
    }

    /** Blocks waiting, sealed or not. */
    int count() {
        return count;
    }

    /** Blocks in sealed batches: what a log flush would make allocatable. */
    int sealedCount() {
        return sealed;
    }
}
