package org.gfs2j.fs.alloc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.gfs2j.fs.cache.BufferCache;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.glock.GlockException;
import org.gfs2j.fs.glock.GlockManager;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.glock.GlockState;
import org.gfs2j.fs.glock.Holder;
import org.gfs2j.fs.glock.HolderFlags;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.StatfsChange;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * This node's statfs bookkeeping (spec 11.1), the kernel's scheme: every transaction that changes
 * rg_free / rg_dinodes adds the same deltas to this node's {@code statfs_changeN} in the same
 * transaction, so master statfs + Σ statfs_change = Σ rgrps at every commit (and after replay);
 * {@link #sync} folds the local deltas into the master {@code statfs} file and zeroes
 * {@code statfs_changeN} in one transaction, after which master = Σ rgrps if every node synced.
 *
 * <p>The {@code statfs_changeN} inode glock is held in EX for the account's lifetime (no other
 * node writes it; recovery of this node's journal takes the journal glock first). {@link #sync}
 * takes the master statfs inode glock in EX with nothing else held.
 */
public final class StatfsAccount implements AutoCloseable {
    private final BufferCache cache;
    private final GlockManager glocks;
    private final long masterAddr;
    private final long changeAddr;
    private final Holder changeHolder;
    private volatile StatfsChange local;
    /**
     * Serializes the transactions that change statfs_changeN, from their copy of the block until
     * their commit installed it: the block is shared by every local transaction (the glock is this
     * node's for good), so two copies of it would lose one update.
     */
    private final java.util.concurrent.locks.ReentrantLock changeLock = new java.util.concurrent.locks.ReentrantLock();

    private StatfsAccount(BufferCache cache, GlockManager glocks, long masterAddr, long changeAddr, Holder changeHolder)
            throws IOException {
        this.cache = cache;
        this.glocks = glocks;
        this.masterAddr = masterAddr;
        this.changeAddr = changeAddr;
        this.changeHolder = changeHolder;
        this.local = decode(cache.read(changeAddr, GlockName.inode(changeAddr)), changeAddr);
    }

    /** Finds master {@code statfs} and {@code statfs_change<jid>} and takes the latter's glock. */
    public static StatfsAccount open(FileSystemReader reader, BufferCache cache, GlockManager glocks, int jid)
            throws IOException {
        long master = reader.systemFile("statfs").addr();
        Inode perNode = reader.systemFile("per_node");
        Optional<Inode> change = reader.lookup(perNode, "statfs_change" + jid);
        if (change.isEmpty()) {
            throw new CorruptMetadataException(perNode.addr(), "per_node directory", "statfs_change" + jid, "missing");
        }
        long changeAddr = change.get().addr();
        Holder h = glocks.acquire(GlockName.inode(changeAddr), GlockState.EX, HolderFlags.ORDER_EXEMPT);
        try {
            return new StatfsAccount(cache, glocks, master, changeAddr, h);
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
    }

    public long masterAddr() {
        return masterAddr;
    }

    public long changeAddr() {
        return changeAddr;
    }

    /** The deltas in statfs_changeN as of the last commit (for the log header's lh_local_*). */
    public StatfsChange local() {
        return local;
    }

    /** {@code local()} as the journal's {@code LogConfig.localStatfs} supplier wants it. */
    public long[] localArray() {
        StatfsChange c = local;
        return new long[] {c.total(), c.free(), c.dinodes()};
    }

    private static final class Pending {
        long free;
        long dinodes;
    }

    /** Adds deltas to statfs_changeN in {@code tx} (written once, at commit). */
    public void record(FsTransaction tx, long dFree, long dDinodes) {
        Pending p = tx.attachment(this, () -> {
            Pending fresh = new Pending();
            tx.beforeCommit(t -> apply(t, fresh));
            return fresh;
        });
        p.free += dFree;
        p.dinodes += dDinodes;
    }

    private void apply(FsTransaction tx, Pending p) throws IOException {
        if (p.free == 0 && p.dinodes == 0) {
            return;
        }
        lockChange(tx);
        ByteBuffer b = tx.modify(changeAddr, GlockName.inode(changeAddr));
        StatfsChange c = decode(b, changeAddr).plus(new StatfsChange(0, p.free, p.dinodes));
        c.encode(b, Dinode.PAYLOAD_OFFSET);
        local = c;
    }

    /**
     * statfs sync: master += statfs_changeN, statfs_changeN = 0, in one transaction under the
     * master statfs glock (EX). Returns the new master totals.
     */
    public StatfsChange sync() throws IOException {
        Holder h;
        try {
            h = glocks.acquire(GlockName.inode(masterAddr), GlockState.EX);
        } catch (GlockException e) {
            throw e;
        }
        try (FsTransaction tx = FsTransaction.begin(cache, 2, 0)) {
            tx.hold(h);
            lockChange(tx);
            ByteBuffer change = tx.modify(changeAddr, GlockName.inode(changeAddr));
            ByteBuffer master = tx.modify(masterAddr, GlockName.inode(masterAddr));
            StatfsChange delta = decode(change, changeAddr);
            StatfsChange total = decode(master, masterAddr).plus(delta);
            total.encode(master, Dinode.PAYLOAD_OFFSET);
            StatfsChange.ZERO.encode(change, Dinode.PAYLOAD_OFFSET);
            tx.commit();
            local = StatfsChange.ZERO;
            return total;
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
    }

    private void lockChange(FsTransaction tx) throws IOException {
        try {
            changeLock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting for statfs_change");
        }
        tx.onEnd(changeLock::unlock);
    }

    /** Master statfs as this node's cache has it (committed contents). */
    public StatfsChange master() throws IOException {
        return decode(cache.read(masterAddr, GlockName.inode(masterAddr)), masterAddr);
    }

    private static StatfsChange decode(ByteBuffer dinodeBlock, long addr) throws CorruptMetadataException {
        Dinode d = Dinode.decode(dinodeBlock, addr);
        if (!d.isStuffed() || d.size() < StatfsChange.SIZE) {
            throw new CorruptMetadataException(addr, "statfs dinode", "di_size", "must be stuffed with at least 24 bytes");
        }
        return StatfsChange.decode(dinodeBlock, Dinode.PAYLOAD_OFFSET, addr);
    }

    @Override
    public void close() {
        changeHolder.close();
    }
}
