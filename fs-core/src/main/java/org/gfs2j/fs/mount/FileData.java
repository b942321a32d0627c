package org.gfs2j.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.fs.alloc.RgrpLocks;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.IndirectBlock;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * A regular file's contents and block tree (spec 6.2), changed through journaled transactions:
 * stuffed writes, unstuffing, height growth, sparse block allocation, and freeing blocks beyond a
 * new end of file. Data blocks are written in place before the transaction that references them
 * commits (ordered mode); metadata (dinode, indirect blocks) goes through the journal.
 *
 * <p>The caller holds the inode glock in EX and the mount's mutation lock. Large writes and
 * truncations are split into transactions of at most {@link #CHUNK} data blocks or
 * {@link #FREE_BUDGET} freed blocks; a crash between them leaves a consistent file (a write
 * partly done, or a truncation that left holes before its final size change).
 */
final class FileData {
    static final int CHUNK = 16;
    static final int FREE_BUDGET = 256;

    private final Gfs2FileSystem fs;
    private final Geometry geo;
    private final int bsize;
    private final int inptrs;

    FileData(Gfs2FileSystem fs) {
        this.fs = fs;
        this.geo = fs.geo;
        this.bsize = geo.bsize();
        this.inptrs = geo.inptrs();
    }

    /** Data blocks one pointer at {@code level} (0 = the dinode) covers in a tree of height {@code h}. */
    private long span(int h, int level) {
        long s = 1;
        for (int i = level + 1; i < h; i++) {
            s *= inptrs;
        }
        return s;
    }

    private static long now() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    private static void putTime(ByteBuffer b, int secOff, int nsecOff, long nanos) {
        b.putLong(secOff, Math.floorDiv(nanos, 1_000_000_000L));
        b.putInt(nsecOff, (int) Math.floorMod(nanos, 1_000_000_000L));
    }

    private int txBlocks(int height) {
        return 4 + (height + 1) * (CHUNK + 2) + geo.maxHeight() + fs.alloc.logBlocksFor(fs.rgrps.size());
    }

    /** Writes {@code data} at {@code offset}; the file's size becomes at least offset + length. */
    void write(long ino, long offset, byte[] data) throws IOException {
        long end = offset + data.length;
        long pos = offset;
        do {
            pos = writeChunk(ino, pos, data, offset, end);
        } while (pos < end);
    }

    /**
     * Allocates every hole among the blocks covering [offset, end), zeroed on the device (GFS2 has
     * no unwritten extents: preallocated blocks are ordinary data blocks of zeros). Blocks already
     * mapped are left as they are. The size becomes at least {@code end} unless {@code keepSize}.
     */
    void preallocate(long ino, long offset, long end, boolean keepSize) throws IOException {
        long pos = offset;
        do {
            pos = writeChunk(ino, pos, null, keepSize ? -1 : offset, end);
        } while (pos < end);
    }

    /** Grows the file to {@code size} (a hole); unstuffs and grows the tree as needed. */
    void extend(long ino, long size) throws IOException {
        writeChunk(ino, size, new byte[0], size, size);
    }

    /**
     * Writes the bytes of [pos, min(end, pos's chunk end)) in one transaction and returns where
     * the next chunk starts; with pos == end it only sets the size to at least end. With no
     * {@code data} it preallocates instead: holes get zeroed blocks, and a negative
     * {@code dataStart} keeps the size.
     */
    private long writeChunk(long ino, long pos, byte[] data, long dataStart, long end) throws IOException {
        boolean keepSize = data == null && dataStart < 0;
        GlockName g = GlockName.inode(ino);
        Dinode d = Dinode.decode(fs.cache.read(ino, g), ino);
        long nowNs = now();
        if (d.height() == 0 && end <= geo.maxStuffed() && data != null) {
            try (FsTransaction tx = FsTransaction.begin(fs.cache, 1, 0)) {
                ByteBuffer b = tx.modify(ino, g);
                Dinode cur = Dinode.decode(b, ino);
                b.put(Dinode.SIZE + (int) pos, data, (int) (pos - dataStart), (int) (end - pos));
                cur.withSize(Math.max(cur.size(), end)).encode(b);
                putTime(b, Dinode.OFF_MTIME, Dinode.OFF_MTIME_NSEC, nowNs);
                putTime(b, Dinode.OFF_CTIME, Dinode.OFF_CTIME_NSEC, nowNs);
                tx.commit();
            }
            return end;
        }
        long first = pos / bsize;
        long chunkEnd = Math.min(end, (first + CHUNK) * bsize);
        long newSize = keepSize ? d.size() : Math.max(d.size(), chunkEnd);
        int targetH = Math.max(Math.max(1, d.height()), geo.heightForSize(Math.max(newSize, chunkEnd)));
        long need = (long) CHUNK * (targetH + 1) + targetH + 2;
        long goal = d.goalData() != 0 ? d.goalData() : ino;
        List<long[]> pending = new ArrayList<>(); // {block} with its new contents in `contents`
        List<byte[]> contents = new ArrayList<>();
        try (RgrpLocks rl = fs.alloc.reserveRgrps(goal, need);
             FsTransaction tx = FsTransaction.begin(fs.cache, txBlocks(targetH), 0)) {
            fs.alloc.use(tx, rl);
            ByteBuffer db = tx.modify(ino, g);
            Dinode cur = Dinode.decode(db, ino);
            long[] blocks = {cur.blocks()};
            long[] lastAlloc = {goal};
            int h = cur.height();
            if (h == 0) { // unstuff: the stuffed bytes become data block 0
                byte[] old = new byte[(int) cur.size()];
                db.get(Dinode.SIZE, old);
                for (int i = Dinode.SIZE; i < bsize; i++) {
                    db.put(i, (byte) 0);
                }
                if (old.length > 0) {
                    long b = allocate(tx, lastAlloc);
                    blocks[0]++;
                    db.putLong(Dinode.SIZE, b);
                    byte[] blk = new byte[bsize];
                    System.arraycopy(old, 0, blk, 0, old.length);
                    pending.add(new long[] {b});
                    contents.add(blk);
                }
                h = 1;
            }
            while (h < targetH) { // a new top level holding the old top's pointers
                long nb = allocate(tx, lastAlloc);
                blocks[0]++;
                long[] ptrs = new long[geo.diptrs()];
                for (int i = 0; i < ptrs.length; i++) {
                    ptrs[i] = db.getLong(Dinode.SIZE + 8 * i);
                    db.putLong(Dinode.SIZE + 8 * i, 0);
                }
                new IndirectBlock(ptrs).encode(tx.create(nb, g));
                db.putLong(Dinode.SIZE, nb);
                h++;
            }
            for (long p = pos; p < chunkEnd; ) {
                long lblock = p / bsize;
                int inBlock = (int) (p - lblock * bsize);
                int n = (int) Math.min(bsize - inBlock, chunkEnd - p);
                boolean[] fresh = new boolean[1];
                long b = map(tx, g, db, h, lblock, blocks, lastAlloc, fresh);
                if (data == null && !fresh[0]) { // preallocating: mapped blocks keep their data
                    p += n;
                    continue;
                }
                byte[] blk = new byte[bsize];
                int already = indexOf(pending, b);
                if (already >= 0) {
                    blk = contents.get(already);
                } else if (!fresh[0] && n < bsize) {
                    fs.device.readBlock(b, bsize).get(blk);
                }
                if (data != null) {
                    System.arraycopy(data, (int) (p - dataStart), blk, inBlock, n);
                }
                if (already < 0) {
                    pending.add(new long[] {b});
                    contents.add(blk);
                }
                p += n;
            }
            cur.withSize(newSize).withBlocks(blocks[0]).withLayout(h, 0, 0, 0)
                    .withGoals(cur.goalMeta(), lastAlloc[0]).encode(db);
            putTime(db, Dinode.OFF_MTIME, Dinode.OFF_MTIME_NSEC, nowNs);
            putTime(db, Dinode.OFF_CTIME, Dinode.OFF_CTIME_NSEC, nowNs);
            // ordered mode: data in place before the metadata that references it is committed
            for (int i = 0; i < pending.size(); i++) {
                long b = pending.get(i)[0];
                fs.device.writeBlock(b, bsize, ByteBuffer.wrap(contents.get(i)));
                fs.cache.discard(b);
            }
            tx.commit();
        }
        return chunkEnd;
    }

    private static int indexOf(List<long[]> pending, long b) {
        for (int i = 0; i < pending.size(); i++) {
            if (pending.get(i)[0] == b) {
                return i;
            }
        }
        return -1;
    }

    private long allocate(FsTransaction tx, long[] lastAlloc) throws IOException {
        long b = fs.alloc.allocate(tx, lastAlloc[0], 1).get(0).start();
        lastAlloc[0] = b + 1;
        return b;
    }

    /** The data block of {@code lblock}, allocating it and any missing indirect blocks. */
    private long map(FsTransaction tx, GlockName g, ByteBuffer db, int h, long lblock, long[] blocks,
            long[] lastAlloc, boolean[] fresh) throws IOException {
        ByteBuffer buf = db;
        long bufBlock = db.getLong(Dinode.OFF_NUM + 8);
        int base = Dinode.SIZE;
        long rest = lblock;
        for (int level = 0; level < h; level++) {
            long sp = span(h, level);
            int idx = (int) (rest / sp);
            rest %= sp;
            long p = pointer(buf, base + 8 * idx, bufBlock);
            boolean last = level == h - 1;
            ByteBuffer child = null;
            if (p == 0) {
                p = allocate(tx, lastAlloc);
                blocks[0]++;
                buf.putLong(base + 8 * idx, p);
                if (last) {
                    fresh[0] = true;
                } else {
                    child = tx.create(p, g);
                    new IndirectBlock(new long[0]).encode(child);
                }
            }
            if (last) {
                return p;
            }
            buf = child != null ? child : indirect(tx.modify(p, g), p);
            bufBlock = p;
            base = IndirectBlock.OFF_POINTERS;
        }
        throw new IllegalStateException("height " + h);
    }

    /** Shrinks the file to {@code size}: frees blocks beyond it, zeroes the rest of its last block. */
    void truncate(long ino, long size) throws IOException {
        GlockName g = GlockName.inode(ino);
        Dinode d = Dinode.decode(fs.cache.read(ino, g), ino);
        if (d.height() > 0) {
            long keep = (size + bsize - 1) / bsize;
            while (freePass(ino, keep, Long.MAX_VALUE)) {
                // each pass is one transaction of at most FREE_BUDGET freed blocks
            }
            if (size % bsize != 0) {
                long b = mapped(ino, size / bsize);
                if (b != 0) { // the rest of the last block must read as zeros after a later extension
                    ByteBuffer blk = fs.device.readBlock(b, bsize);
                    for (int i = (int) (size % bsize); i < bsize; i++) {
                        blk.put(i, (byte) 0);
                    }
                    fs.device.writeBlock(b, bsize, blk.position(0));
                    fs.cache.discard(b);
                }
            }
        }
        long nowNs = now();
        try (FsTransaction tx = FsTransaction.begin(fs.cache, 1, 0)) {
            ByteBuffer b = tx.modify(ino, g);
            Dinode cur = Dinode.decode(b, ino);
            if (cur.height() == 0) {
                for (int i = Dinode.SIZE + (int) size; i < Dinode.SIZE + cur.size(); i++) {
                    b.put(i, (byte) 0);
                }
            } else if (size == 0) { // like the kernel: an empty file is stuffed again
                for (int i = Dinode.SIZE; i < bsize; i++) {
                    b.put(i, (byte) 0);
                }
                cur = cur.withLayout(0, 0, 0, 0);
            }
            cur.withSize(size).encode(b);
            putTime(b, Dinode.OFF_MTIME, Dinode.OFF_MTIME_NSEC, nowNs);
            putTime(b, Dinode.OFF_CTIME, Dinode.OFF_CTIME_NSEC, nowNs);
            tx.commit();
        }
    }

    /** The data block mapped at {@code lblock}, or 0 for a hole. */
    private long mapped(long ino, long lblock) throws IOException {
        GlockName g = GlockName.inode(ino);
        ByteBuffer buf = fs.cache.read(ino, g);
        long bufBlock = ino;
        int h = Dinode.decode(buf, ino).height();
        int base = Dinode.SIZE;
        long rest = lblock;
        for (int level = 0; level < h; level++) {
            long sp = span(h, level);
            int idx = (int) (rest / sp);
            rest %= sp;
            long p = pointer(buf, base + 8 * idx, bufBlock);
            if (p == 0 || level == h - 1) {
                return p;
            }
            buf = indirect(fs.cache.read(p, g), p);
            bufBlock = p;
            base = IndirectBlock.OFF_POINTERS;
        }
        return 0;
    }

    /**
     * One transaction freeing up to FREE_BUDGET mapped blocks of logical blocks [from, to), and the
     * indirect blocks left empty; false when it freed none. Truncation and hole punching both use it.
     */
    boolean freePass(long ino, long from, long to) throws IOException {
        GlockName g = GlockName.inode(ino);
        List<Long> candidates = new ArrayList<>();
        int h = Dinode.decode(fs.cache.read(ino, g), ino).height();
        walk(null, g, fs.cache.read(ino, g), ino, Dinode.SIZE, geo.diptrs(), 0, h, 0, from, to, candidates, new int[1]);
        if (candidates.isEmpty()) {
            return false;
        }
        try (RgrpLocks rl = fs.alloc.lockRgrpsForFree(candidates);
             FsTransaction tx = FsTransaction.begin(fs.cache,
                     2 + (h + 1) * (FREE_BUDGET + 2) + fs.alloc.logBlocksFor(fs.rgrps.size()),
                     FREE_BUDGET + 2)) {
            fs.alloc.use(tx, rl);
            ByteBuffer db = tx.modify(ino, g);
            int[] freed = new int[1];
            walk(tx, g, db, ino, Dinode.SIZE, geo.diptrs(), 0, h, 0, from, to, new ArrayList<>(), freed);
            Dinode cur = Dinode.decode(db, ino);
            cur.withBlocks(cur.blocks() - freed[0]).encode(db);
            // no need to wait for the log: freed blocks are not handed out again before this
            // transaction is durable (alloc/FreedBlocks, the kernel's clone bitmap)
            tx.commit();
            return freed[0] > 0; // indirect blocks that keep other pointers are listed, not freed
        }
    }

    /**
     * Visits the pointers of one tree block whose first slot covers data block {@code start}, and
     * lists the blocks to free: data blocks in [from, to) and, children first, every indirect block
     * covering some of them. With a transaction it also frees them (indirect blocks only once no
     * pointer is left in them), clears their pointers and counts them. Both modes list the same
     * blocks and stop at the same budget, so the dry run names every rgrp the real pass needs.
     */
    private boolean walk(FsTransaction tx, GlockName g, ByteBuffer buf, long bufBlock, int base, int nptrs, int level, int h,
            long start, long from, long to, List<Long> listed, int[] freed) throws IOException {
        long sp = span(h, level);
        boolean empty = true;
        for (int i = 0; i < nptrs; i++) {
            long p = pointer(buf, base + 8 * i, bufBlock);
            if (p == 0) {
                continue;
            }
            long lo = start + i * sp;
            if (lo + sp <= from || lo >= to || listed.size() >= FREE_BUDGET) {
                empty = false;
                continue;
            }
            if (level == h - 1) { // data
                listed.add(p);
                if (tx != null) {
                    fs.alloc.free(tx, p, 1, false);
                    buf.putLong(base + 8 * i, 0);
                    freed[0]++;
                }
                continue;
            }
            ByteBuffer child = indirect(tx == null ? fs.cache.read(p, g) : tx.modify(p, g), p);
            boolean childEmpty = walk(tx, g, child, p, IndirectBlock.OFF_POINTERS, inptrs, level + 1, h, lo, from, to,
                    listed, freed);
            if (listed.size() < FREE_BUDGET) {
                listed.add(p);
                if (tx != null && childEmpty) {
                    fs.alloc.free(tx, p, 1, true);
                    buf.putLong(base + 8 * i, 0);
                    freed[0]++;
                    continue;
                }
            }
            empty = false;
        }
        return empty;
    }

    /**
     * A block pointer of the tree, checked before it is followed, written through or freed: a
     * corrupt one is CorruptMetadataException (the mount withdraws), never a write over another
     * block or a free of a block outside the file system. {@code from} is the block holding it.
     */
    private long pointer(ByteBuffer buf, int off, long from) throws CorruptMetadataException {
        long p = buf.getLong(off);
        if (p != 0) {
            fs.reader.pointers().check(p, from, "file block tree", "pointer at byte " + off);
        }
        return p;
    }

    /** An indirect block of the tree, whose meta header must say so. */
    private static ByteBuffer indirect(ByteBuffer b, long block) throws CorruptMetadataException {
        org.gfs2j.journal.format.MetaHeader.check(b, block, org.gfs2j.journal.format.MetaType.IN);
        return b;
    }
}
