package org.gfs2j.journal.log;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * One atomic metadata change: block images, revokes of freed metadata blocks, journaled-data
 * block images and ordered data, committed together or not at all. Begun with a reservation of
 * log space ({@link JournalLog#begin(int, int)}), so commit never waits for log space. The log
 * keeps private copies of the images: the caller may reuse its buffers after {@code add}.
 *
 * <p>Not thread-safe: one thread builds a transaction. {@link #close()} without {@link #commit()}
 * abandons it and returns the reservation.
 */
public final class Transaction implements AutoCloseable {
    enum Kind { METADATA, JDATA, REVOKE, ORDERED }

    record Op(Kind kind, long block, ByteBuffer image, OrderedData ordered) {
    }

    private final JournalLog log;
    private final int reservedBlocks;
    private final int reservedRevokes;
    private final int reservedLogBlocks;
    private final List<Op> ops = new ArrayList<>();
    private final Set<Long> blocks = new HashSet<>();
    private final Set<Long> revokes = new HashSet<>();
    private boolean done;

    Transaction(JournalLog log, int reservedBlocks, int reservedRevokes, int reservedLogBlocks) {
        this.log = log;
        this.reservedBlocks = reservedBlocks;
        this.reservedRevokes = reservedRevokes;
        this.reservedLogBlocks = reservedLogBlocks;
    }

    /**
     * Logs the new contents of metadata block {@code block}. The image must be a metadata block
     * (GFS2 magic) and not a log block type.
     */
    public Transaction addMetadata(long block, ByteBuffer image) {
        checkOpen();
        MetaType type = MetaHeader.typeOf(image, 0);
        if (type == null) {
            throw new IllegalArgumentException("block " + block + " is not a GFS2 metadata block (no magic/type)");
        }
        if (type == MetaType.LH || type == MetaType.LD || type == MetaType.LB) {
            throw new IllegalArgumentException("block " + block + " is a " + type.description() + ": log blocks are never logged");
        }
        ByteBuffer copy = Buffers.copyOf(image, log.bsize());
        // as the kernel does when it journals a block: pad0 zero, mh_jid = the logging node
        copy.putLong(MetaHeader.OFF_PAD0, 0L);
        copy.putInt(MetaHeader.OFF_JID, log.jid());
        add(new Op(Kind.METADATA, block, copy, null));
        return this;
    }

    /** Logs the new contents of a data block of a jdata file (any bytes). */
    public Transaction addJournaledData(long block, ByteBuffer image) {
        checkOpen();
        add(new Op(Kind.JDATA, block, Buffers.copyOf(image, log.bsize()), null));
        return this;
    }

    /** Block {@code block} was freed: earlier logged copies of it must not be replayed. */
    public Transaction addRevoke(long block) {
        checkOpen();
        if (!revokes.contains(block) && revokes.size() >= reservedRevokes) {
            throw new IllegalStateException("transaction reserved " + reservedRevokes + " revokes, adding one more");
        }
        revokes.add(block);
        ops.add(new Op(Kind.REVOKE, block, null, null));
        return this;
    }

    /** Data this transaction's metadata references: written to the device before the commit. */
    public Transaction addOrderedData(OrderedData data) {
        checkOpen();
        ops.add(new Op(Kind.ORDERED, -1, null, data));
        return this;
    }

    private void add(Op op) {
        if (!blocks.contains(op.block()) && blocks.size() >= reservedBlocks) {
            throw new IllegalStateException("transaction reserved " + reservedBlocks + " blocks, adding one more");
        }
        blocks.add(op.block());
        ops.add(op);
    }

    /**
     * Commits: the changes become part of the next log flush (group commit). Returns a ticket for
     * {@link JournalLog#awaitDurable(long)}; the policy may already have flushed it.
     */
    public long commit() throws java.io.IOException {
        checkOpen();
        done = true;
        return log.commit(this);
    }

    /** Abandons the transaction unless it was committed. */
    @Override
    public void close() {
        if (!done) {
            done = true;
            log.abort(this);
        }
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException("transaction already committed or closed");
        }
    }

    List<Op> ops() {
        return ops;
    }

    int reservedLogBlocks() {
        return reservedLogBlocks;
    }
}
