package org.gfs2j.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gfs2j.fs.alloc.RgrpLocks;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.EaBlock;
import org.gfs2j.fs.ondisk.EaHeader;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.IndirectBlock;
import org.gfs2j.fs.ondisk.Leaf;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees everything an UNLINKED inode owns, then the dinode (docs/allocation.md, "Deallocation").
 * The order is the kernel's eviction order: directory leaves, extended attributes, the block tree
 * (file data, or a directory's hash table in JD blocks), the dinode.
 *
 * <p>Each step is one or more transactions of at most {@link #BUDGET} freed blocks
 * ({@link #DATA_BUDGET} for trees of unjournaled data). Every
 * transaction removes the pointers to the blocks it frees and lowers di_blocks by their number, so
 * whatever a crash interrupts is a consistent UNLINKED inode that the next call (a mount's
 * {@code freeUnlinked}, or fsck.gfs2) finishes:
 * <ul>
 * <li>leaves: each leaf chain once (many hash-table slots point to one leaf); its slots in the
 * hash table are zeroed in the same transaction (in the dinode when the table is stuffed, else in
 * its JD blocks, which are journaled);</li>
 * <li>xattrs: the ED blocks of unstuffed values (the record becomes UNUSED or is merged into the
 * record before it), then the EA blocks of an indirect EA block (from the end, so its pointer list
 * stays packed), then the EA or indirect block itself (di_eattr 0);</li>
 * <li>block tree: children before their indirect block; the blocks of a directory or jdata file
 * are journaled metadata, so they are revoked, other data blocks are not.</li>
 * </ul>
 * Data is written in place, so freed blocks must not be handed out before their free is durable:
 * the allocator holds them back until the log says so (alloc/FreedBlocks), and the transactions
 * here commit without waiting.
 *
 * <p>The caller holds the mount's mutation lock, the inode glock in EX and (cluster protocol) the
 * iopen glock in EX, and has made sure nobody uses the inode any more.
 */
final class InodeDeallocator {
    private static final Logger LOG = LoggerFactory.getLogger(InodeDeallocator.class);
    /** Blocks freed (and revokes logged) per transaction, at most. */
    static final int BUDGET = 64;
    /**
     * Tree blocks freed per transaction when the data blocks are not journaled: freeing them
     * needs no revoke, only their rgrps' bitmap blocks in the log, so large files go in few
     * transactions (200 MiB: 13 instead of 800).
     */
    static final int DATA_BUDGET = 4096;

    private final Gfs2FileSystem fs;
    private final Geometry geo;
    private final int bsize;

    /** Runs after each commit (tests make it durable and copy the image there to get a crash in between). */
    interface CommitHook {
        void committed(long addr) throws IOException;
    }

    private volatile CommitHook afterCommit = addr -> { };

    void afterEachCommit(CommitHook hook) {
        this.afterCommit = hook;
    }

    InodeDeallocator(Gfs2FileSystem fs) {
        this.fs = fs;
        this.geo = fs.geo;
        this.bsize = geo.bsize();
    }

    /** Frees the inode at {@code addr}: leaves, xattrs, block tree, dinode. */
    void deallocate(long addr) throws IOException {
        Dinode d = dinode(addr);
        if (d.nlink() != 0) {
            throw new CorruptMetadataException(addr, "dinode", "di_nlink",
                    d.nlink() + " links on an inode that is being deallocated");
        }
        if (d.isExhashDir()) {
            while (freeLeafBatch(addr)) {
                // one transaction per batch of leaf chains
            }
        }
        if (d.eattr() != 0) {
            freeXattrs(addr);
        }
        if (dinode(addr).height() > 0) {
            boolean journaled = d.isDirectory() || d.hasFlag(Dinode.FLAG_JDATA);
            while (freeTreeBatch(addr, journaled)) {
                // one transaction per batch of tree blocks
            }
        }
        freeDinode(addr);
    }

    private Dinode dinode(long addr) throws IOException {
        return Dinode.decode(fs.cache.read(addr, GlockName.inode(addr)), addr);
    }

    private int txBlocks(int changed, int rgrps) {
        return changed + fs.alloc.logBlocksFor(rgrps) + 2;
    }

    /** Lowers di_blocks by {@code n} in the transaction's copy of the dinode. */
    private static void dropBlocks(ByteBuffer db, long addr, long n) throws CorruptMetadataException {
        Dinode cur = Dinode.decode(db, addr);
        cur.withBlocks(Math.max(1, cur.blocks() - n)).encode(db);
    }

    // ---------------------------------------------------------------- directory leaves

    /** Where a hash-table slot lives: the dinode (stuffed table) or a JD block, and the byte offset there. */
    private record Slot(long block, int offset) {
    }

    /** A directory's hash table as slots (value and location) over the committed blocks. */
    private final class HashTable {
        final long[] ptrs;
        final Slot[] slots;

        HashTable(long addr, Dinode d) throws IOException {
            int n = 1 << d.depth();
            ptrs = new long[n];
            slots = new Slot[n];
            ByteBuffer db = fs.cache.read(addr, GlockName.inode(addr));
            if (d.height() == 0) {
                int max = Math.min(n, (bsize - Dinode.SIZE) / 8);
                for (int i = 0; i < max; i++) {
                    slots[i] = new Slot(addr, Dinode.SIZE + 8 * i);
                    ptrs[i] = db.getLong(slots[i].offset());
                }
                return;
            }
            int jb = geo.jbsize();
            List<Long> jds = dataBlocks(addr, db, d.height());
            for (int i = 0; i < n; i++) {
                long pos = 8L * i;
                int k = (int) (pos / jb);
                long jd = k < jds.size() ? jds.get(k) : 0;
                if (jd == 0) {
                    continue; // a JD block freed by an interrupted deallocation reads as zeros
                }
                ByteBuffer jbuf = fs.cache.read(jd, GlockName.inode(addr));
                MetaHeader.check(jbuf, jd, MetaType.JD);
                slots[i] = new Slot(jd, MetaHeader.SIZE + (int) (pos % jb));
                ptrs[i] = jbuf.getLong(slots[i].offset());
            }
        }
    }

    /** The data-level blocks of a block tree in logical order, 0 for holes. */
    private List<Long> dataBlocks(long addr, ByteBuffer db, int height) throws IOException {
        List<Long> level = new ArrayList<>();
        for (int i = 0; i < geo.diptrs(); i++) {
            level.add(Dinode.pointer(db, i));
        }
        for (int h = 1; h < height; h++) {
            List<Long> next = new ArrayList<>();
            for (long p : level) {
                if (p == 0) {
                    for (int i = 0; i < geo.inptrs(); i++) {
                        next.add(0L);
                    }
                    continue;
                }
                ByteBuffer ib = fs.cache.read(p, GlockName.inode(addr));
                MetaHeader.check(ib, p, MetaType.IN);
                for (int i = 0; i < geo.inptrs(); i++) {
                    next.add(IndirectBlock.pointer(ib, i));
                }
            }
            level = next;
        }
        return level;
    }

    /**
     * One transaction freeing whole leaf chains (at least one, up to the budget) and zeroing their
     * hash-table slots; false when no leaf was left.
     */
    private boolean freeLeafBatch(long addr) throws IOException {
        GlockName g = GlockName.inode(addr);
        Dinode d = dinode(addr);
        HashTable table = new HashTable(addr, d);
        // leaf → the slots pointing to it, in table order (a leaf covers a run of slots)
        Map<Long, List<Integer>> slotsOf = new LinkedHashMap<>();
        for (int i = 0; i < table.ptrs.length; i++) {
            if (table.ptrs[i] != 0) {
                slotsOf.computeIfAbsent(table.ptrs[i], k -> new ArrayList<>()).add(i);
            }
        }
        if (slotsOf.isEmpty()) {
            return false;
        }
        List<Long> toFree = new ArrayList<>();
        List<Integer> slotsToZero = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (var e : slotsOf.entrySet()) {
            List<Long> chain = new ArrayList<>();
            for (long leaf = e.getKey(); leaf != 0 && seen.add(leaf); ) {
                chain.add(leaf);
                leaf = Leaf.decode(fs.cache.read(leaf, g), leaf).next();
            }
            if (!toFree.isEmpty() && toFree.size() + chain.size() > BUDGET) {
                break;
            }
            toFree.addAll(chain);
            slotsToZero.addAll(e.getValue());
        }
        Set<Long> slotBlocks = new HashSet<>();
        for (int i : slotsToZero) {
            slotBlocks.add(table.slots[i].block());
        }
        try (RgrpLocks rl = fs.alloc.lockRgrpsForFree(toFree);
             FsTransaction tx = FsTransaction.begin(fs.cache, txBlocks(slotBlocks.size() + 1, rl.addresses().size()),
                     toFree.size())) {
            fs.alloc.use(tx, rl);
            for (int i : slotsToZero) {
                Slot s = table.slots[i];
                tx.modify(s.block(), g).putLong(s.offset(), 0);
            }
            for (long b : toFree) {
                fs.alloc.free(tx, b, 1, true);
            }
            dropBlocks(tx.modify(addr, g), addr, toFree.size());
            tx.commit(); // the allocator keeps freed blocks until the log makes this durable (alloc/FreedBlocks)
        }
        afterCommit.committed(addr);
        return true;
    }

    // ---------------------------------------------------------------- extended attributes

    private void freeXattrs(long addr) throws IOException {
        GlockName g = GlockName.inode(addr);
        Dinode d = dinode(addr);
        long ea = d.eattr();
        boolean indirect = d.hasFlag(Dinode.FLAG_EA_INDIRECT);
        List<Long> eaBlocks = new ArrayList<>();
        if (indirect) {
            ByteBuffer ib = fs.cache.read(ea, g);
            MetaHeader.check(ib, ea, MetaType.IN);
            for (int i = 0; i < geo.inptrs(); i++) {
                long p = IndirectBlock.pointer(ib, i);
                if (p == 0) {
                    break; // the list is packed
                }
                eaBlocks.add(p);
            }
        } else {
            eaBlocks.add(ea);
        }
        for (long eb : eaBlocks) {
            while (freeUnstuffedValues(addr, eb)) {
                // one transaction per batch of records
            }
        }
        if (indirect) {
            while (freeIndirectEaBatch(addr, ea)) {
                // from the end of the list, so that it stays packed
            }
        }
        // the EA (or emptied indirect) block itself goes with the dinode (freeDinode)
    }

    /**
     * One transaction freeing the ED blocks of unstuffed records in EA block {@code eb} (whole
     * records, up to the budget); each record becomes UNUSED or is absorbed by the record before
     * it, as the kernel's deallocation does. False when none was left.
     */
    private boolean freeUnstuffedValues(long addr, long eb) throws IOException {
        GlockName g = GlockName.inode(addr);
        int fsFormat = fs.reader.superblock().fsFormat();
        List<EaBlock.Entry> records = EaBlock.walk(fs.cache.read(eb, g), eb, fsFormat);
        List<Integer> batch = new ArrayList<>();
        List<Long> eds = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            EaBlock.Entry e = records.get(i);
            if (e.header().isUnused() || e.header().isStuffed()) {
                continue;
            }
            List<Long> mine = new ArrayList<>();
            for (long p : e.pointers()) {
                if (p != 0) {
                    mine.add(p);
                }
            }
            if (!batch.isEmpty() && eds.size() + mine.size() > BUDGET) {
                break;
            }
            batch.add(i);
            eds.addAll(mine);
        }
        if (batch.isEmpty()) {
            return false;
        }
        try (RgrpLocks rl = fs.alloc.lockRgrpsForFree(eds.isEmpty() ? List.of(eb) : eds);
             FsTransaction tx = FsTransaction.begin(fs.cache, txBlocks(2, rl.addresses().size()), eds.size())) {
            fs.alloc.use(tx, rl);
            ByteBuffer b = tx.modify(eb, g);
            // back to front, so that merging a record into its predecessor keeps earlier offsets valid
            for (int k = batch.size() - 1; k >= 0; k--) {
                int i = batch.get(k);
                EaBlock.Entry e = records.get(i);
                EaHeader h = e.header();
                int off = e.offset();
                for (int p = 0; p < h.numPtrs(); p++) {
                    b.putLong(off + h.valueOffset() + 8 * p, 0);
                }
                EaBlock.Entry prev = i > 0 ? records.get(i - 1) : null;
                if (prev != null && !(k > 0 && batch.get(k - 1) == i - 1)) {
                    EaHeader ph = EaHeader.decode(b, prev.offset(), eb);
                    new EaHeader(ph.recLen() + h.recLen(), ph.dataLen(), ph.nameLen(), ph.type(),
                            ph.flags() | (h.flags() & EaHeader.FLAG_LAST), ph.numPtrs()).encode(b, prev.offset());
                } else {
                    new EaHeader(h.recLen(), h.dataLen(), h.nameLen(), EaHeader.TYPE_UNUSED, h.flags(), 0)
                            .encode(b, off);
                }
            }
            for (long ed : eds) {
                fs.alloc.free(tx, ed, 1, true);
            }
            dropBlocks(tx.modify(addr, g), addr, eds.size());
            tx.commit(); // the allocator keeps freed blocks until the log makes this durable (alloc/FreedBlocks)
        }
        afterCommit.committed(addr);
        return true;
    }

    /** One transaction freeing EA blocks from the end of an indirect EA block's list; false when it is empty. */
    private boolean freeIndirectEaBatch(long addr, long in) throws IOException {
        GlockName g = GlockName.inode(addr);
        ByteBuffer ib = fs.cache.read(in, g);
        int n = 0;
        while (n < geo.inptrs() && IndirectBlock.pointer(ib, n) != 0) {
            n++;
        }
        if (n == 0) {
            return false;
        }
        List<Long> batch = new ArrayList<>();
        for (int i = n - 1; i >= 0 && batch.size() < BUDGET; i--) {
            batch.add(IndirectBlock.pointer(ib, i));
        }
        try (RgrpLocks rl = fs.alloc.lockRgrpsForFree(batch);
             FsTransaction tx = FsTransaction.begin(fs.cache, txBlocks(2, rl.addresses().size()), batch.size())) {
            fs.alloc.use(tx, rl);
            ByteBuffer mine = tx.modify(in, g);
            for (int i = n - batch.size(); i < n; i++) {
                IndirectBlock.setPointer(mine, i, 0);
            }
            for (long b : batch) {
                fs.alloc.free(tx, b, 1, true);
            }
            dropBlocks(tx.modify(addr, g), addr, batch.size());
            tx.commit(); // the allocator keeps freed blocks until the log makes this durable (alloc/FreedBlocks)
        }
        afterCommit.committed(addr);
        return true;
    }

    // ---------------------------------------------------------------- block tree

    /** A block to free, whether it is a data-level block, and the pointer to clear ({@code parent} at {@code offset}). */
    private record Freed(long block, boolean data, long parent, int offset) {
    }

    /**
     * One transaction freeing up to the budget of tree blocks, children before the indirect block
     * holding them; false when the tree was empty.
     */
    private boolean freeTreeBatch(long addr, boolean journaled) throws IOException {
        GlockName g = GlockName.inode(addr);
        ByteBuffer db = fs.cache.read(addr, g);
        int h = Dinode.decode(db, addr).height();
        List<Freed> plan = new ArrayList<>();
        plan(g, addr, db, Dinode.SIZE, geo.diptrs(), 0, h, journaled ? BUDGET : DATA_BUDGET, plan);
        if (plan.isEmpty()) {
            return false;
        }
        Set<Long> freed = new HashSet<>();
        List<Long> blocks = new ArrayList<>();
        for (Freed f : plan) {
            freed.add(f.block());
            blocks.add(f.block());
        }
        Set<Long> parents = new HashSet<>();
        int revokes = 0;
        for (Freed f : plan) {
            if (!freed.contains(f.parent())) {
                parents.add(f.parent());
            }
            if (journaled || !f.data()) {
                revokes++;
            }
        }
        try (RgrpLocks rl = fs.alloc.lockRgrpsForFree(blocks);
             FsTransaction tx = FsTransaction.begin(fs.cache, txBlocks(parents.size() + 1, rl.addresses().size()), revokes)) {
            fs.alloc.use(tx, rl);
            for (Freed f : plan) {
                // pointers inside a block freed in this transaction need no clearing
                if (!freed.contains(f.parent())) {
                    tx.modify(f.parent(), g).putLong(f.offset(), 0);
                }
            }
            for (Freed f : plan) {
                fs.alloc.free(tx, f.block(), 1, journaled || !f.data());
            }
            dropBlocks(tx.modify(addr, g), addr, plan.size());
            tx.commit(); // the allocator keeps freed blocks until the log makes this durable (alloc/FreedBlocks)
        }
        afterCommit.committed(addr);
        return true;
    }

    /**
     * Lists, depth first, the blocks below the pointers of one tree block ({@code nptrs} pointers
     * from {@code base} in {@code buf}, block number {@code self}) until the budget is reached: a
     * data-level block as met, an indirect block after all of its children. Returns whether every
     * pointer of this block was listed.
     */
    private boolean plan(GlockName g, long self, ByteBuffer buf, int base, int nptrs, int level, int h,
            int budget, List<Freed> out) throws IOException {
        boolean all = true;
        for (int i = 0; i < nptrs; i++) {
            long p = buf.getLong(base + 8 * i);
            if (p == 0) {
                continue;
            }
            if (out.size() >= budget) {
                return false;
            }
            if (level == h - 1) {
                out.add(new Freed(p, true, self, base + 8 * i));
                continue;
            }
            ByteBuffer child = fs.cache.read(p, g);
            MetaHeader.check(child, p, MetaType.IN);
            if (plan(g, p, child, IndirectBlock.OFF_POINTERS, geo.inptrs(), level + 1, h, budget, out)
                    && out.size() < budget) {
                out.add(new Freed(p, false, self, base + 8 * i));
            } else {
                all = false;
            }
        }
        return all;
    }

    // ---------------------------------------------------------------- the dinode

    /** The last transaction: the EA (or emptied indirect EA) block if any, then the dinode itself. */
    private void freeDinode(long addr) throws IOException {
        Dinode d = dinode(addr);
        List<Long> blocks = new ArrayList<>(List.of(addr));
        if (d.eattr() != 0) {
            blocks.add(d.eattr());
        }
        long expected = 1 + (d.eattr() != 0 ? 1 : 0);
        if (d.blocks() != expected) {
            LOG.warn("inode {}: di_blocks is {} with only {} block(s) left to free", addr, d.blocks(), expected);
        }
        try (RgrpLocks rl = fs.alloc.lockRgrpsForFree(blocks);
             FsTransaction tx = FsTransaction.begin(fs.cache, txBlocks(1, rl.addresses().size()), 2)) {
            fs.alloc.use(tx, rl);
            if (d.eattr() != 0) {
                fs.alloc.free(tx, d.eattr(), 1, true);
            }
            fs.alloc.freeDinode(tx, addr);
            tx.commit(); // the allocator keeps freed blocks until the log makes this durable (alloc/FreedBlocks)
        }
        afterCommit.committed(addr);
        LOG.debug("inode {} deallocated", addr);
    }
}
