package org.gfs2j.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.gfs2j.fs.alloc.NoSpaceException;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.IndirectBlock;
import org.gfs2j.fs.vfs.FsException;

/**
 * fallocate(2) on a regular file, as GFS2 does it: preallocated blocks are ordinary data blocks
 * written with zeros (there are no unwritten extents in the format), so they read as zeros and
 * count as data for SEEK_DATA; with FALLOC_FL_KEEP_SIZE they may lie beyond the end of the file,
 * which fsck.gfs2 accepts and a later truncate or delete frees. A punched hole frees the whole
 * blocks of the range (and the indirect blocks that covered only them) and zeroes the partial
 * blocks at its ends in place.
 *
 * <p>The caller holds the inode glock in EX and the mount's mutation lock. Allocation runs in
 * FileData's transactions of a few blocks; freeing through FileData's passes (the same as
 * truncation's, at most {@code FileData.FREE_BUDGET} blocks each). Before allocating, the
 * holes of the range are counted against the free blocks: a request that cannot be met fails with
 * ENOSPC having changed nothing.
 */
final class FileSpace {
    static final int KEEP_SIZE = 0x01;
    static final int PUNCH_HOLE = 0x02;
    private static final int ENODEV = 19;

    private final Gfs2FileSystem fs;
    private final FileData data;
    private final Geometry geo;
    private final int bsize;

    FileSpace(Gfs2FileSystem fs, FileData data) {
        this.fs = fs;
        this.data = data;
        this.geo = fs.geo;
        this.bsize = geo.bsize();
    }

    /** The argument checks of vfs_fallocate, before any lock is taken. */
    static void check(long offset, long length, int mode, long maxFileSize) throws FsException {
        if (offset < 0 || length <= 0) {
            throw new FsException(FsException.EINVAL, "fallocate needs offset >= 0 and length > 0");
        }
        if (mode != 0 && mode != KEEP_SIZE && mode != (PUNCH_HOLE | KEEP_SIZE)) {
            throw new FsException(FsException.EOPNOTSUPP, "fallocate mode 0x" + Integer.toHexString(mode)
                    + " is not supported (0, KEEP_SIZE and PUNCH_HOLE|KEEP_SIZE are)");
        }
        if (offset > maxFileSize - length) {
            throw new FsException(FsException.EFBIG, "offset + length beyond the largest file size " + maxFileSize);
        }
    }

    void fallocate(long ino, long offset, long length, int mode) throws IOException {
        Dinode d = dinode(ino);
        if (d.isDirectory()) {
            throw new FsException(FsException.EISDIR, "is a directory");
        }
        if (!d.isRegular()) {
            throw new FsException(ENODEV, "not a regular file");
        }
        long end = offset + length;
        if ((mode & PUNCH_HOLE) != 0) {
            punch(ino, offset, end);
        } else {
            allocate(ino, offset, end, (mode & KEEP_SIZE) != 0);
        }
    }

    private Dinode dinode(long ino) throws IOException {
        return Dinode.decode(fs.cache.read(ino, GlockName.inode(ino)), ino);
    }

    // ---- allocation ----

    private void allocate(long ino, long offset, long end, boolean keepSize) throws IOException {
        Dinode d = dinode(ino);
        if (d.isStuffed() && end <= geo.maxStuffed()) {
            // the dinode block already holds these bytes
            if (!keepSize && end > d.size()) {
                data.extend(ino, end);
            }
            return;
        }
        long first = offset / bsize;
        long last = (end + bsize - 1) / bsize;
        long mapped = d.isStuffed() ? 0 : countMapped(ino, first, last);
        long holes = (last - first) - mapped;
        long need = holes + holes / (geo.inptrs() - 1) + 2L * geo.maxHeight() + (d.isStuffed() ? 1 : 0);
        if (holes > 0) {
            long free = fs.alloc.freeBlocks();
            if (need > free) {
                throw new NoSpaceException(need, free);
            }
        }
        if (holes == 0) {
            if (!keepSize && end > d.size()) {
                data.extend(ino, end);
            }
            return;
        }
        data.preallocate(ino, offset, end, keepSize);
    }

    // ---- punching holes ----

    private void punch(long ino, long offset, long end) throws IOException {
        GlockName g = GlockName.inode(ino);
        Dinode d = dinode(ino);
        long nowNs = System.currentTimeMillis() * 1_000_000L;
        if (d.isStuffed()) {
            try (FsTransaction tx = FsTransaction.begin(fs.cache, 1, 0)) {
                ByteBuffer b = tx.modify(ino, g);
                for (long i = offset; i < Math.min(end, d.size()); i++) {
                    b.put(Dinode.SIZE + (int) i, (byte) 0);
                }
                stamp(b, nowNs);
                tx.commit();
            }
            return;
        }
        long fullFrom = (offset + bsize - 1) / bsize;
        long fullTo = end / bsize;
        if (fullFrom < fullTo) {
            while (data.freePass(ino, fullFrom, fullTo)) {
                // each pass is one transaction of at most FileData.FREE_BUDGET freed blocks
            }
        }
        long head = offset / bsize;
        long tail = (end - 1) / bsize;
        if (offset % bsize != 0 || end < (head + 1) * bsize) {
            zeroInBlock(ino, head, offset, Math.min(end, (head + 1) * bsize));
        }
        if (tail != head && end % bsize != 0) {
            zeroInBlock(ino, tail, tail * bsize, end);
        }
        try (FsTransaction tx = FsTransaction.begin(fs.cache, 1, 0)) {
            stamp(tx.modify(ino, g), nowNs);
            tx.commit();
        }
    }

    private static void stamp(ByteBuffer dinode, long nowNs) {
        ReadWriteGfs2Vfs.putTime(dinode, Dinode.OFF_MTIME, Dinode.OFF_MTIME_NSEC, nowNs);
        ReadWriteGfs2Vfs.putTime(dinode, Dinode.OFF_CTIME, Dinode.OFF_CTIME_NSEC, nowNs);
    }

    /** Zeroes bytes [from, to) of logical block {@code lblock} in place, when it is mapped. */
    private void zeroInBlock(long ino, long lblock, long from, long to) throws IOException {
        long b = mappedBlock(ino, lblock);
        if (b == 0) {
            return;
        }
        ByteBuffer blk = fs.device.readBlock(b, bsize);
        for (int i = (int) (from - lblock * bsize); i < (int) (to - lblock * bsize); i++) {
            blk.put(i, (byte) 0);
        }
        fs.device.writeBlock(b, bsize, blk.position(0));
        fs.cache.discard(b);
    }

    // ---- reading the tree regardless of the size ----

    /** Data blocks one pointer at {@code level} (0 = the dinode) covers in a tree of height {@code h}. */
    private long span(int h, int level) {
        long s = 1;
        for (int i = level + 1; i < h; i++) {
            s *= geo.inptrs();
        }
        return s;
    }

    /** The device block of logical block {@code lblock}, 0 for a hole (also beyond the size). */
    private long mappedBlock(long ino, long lblock) throws IOException {
        long[] found = {0};
        visitMapped(ino, lblock, lblock + 1, (l, b) -> found[0] = b);
        return found[0];
    }

    private long countMapped(long ino, long from, long to) throws IOException {
        long[] n = {0};
        visitMapped(ino, from, to, (l, b) -> n[0]++);
        return n[0];
    }

    @FunctionalInterface
    private interface MappedVisitor {
        void block(long lblock, long device);
    }

    /** Visits the mapped data blocks with logical numbers in [from, to), beyond the size too. */
    private void visitMapped(long ino, long from, long to, MappedVisitor v) throws IOException {
        GlockName g = GlockName.inode(ino);
        ByteBuffer db = fs.cache.read(ino, g);
        int h = Dinode.decode(db, ino).height();
        if (h > 0) {
            visit(g, db, Dinode.SIZE, geo.diptrs(), 0, h, 0, from, to, v);
        }
    }

    private void visit(GlockName g, ByteBuffer buf, int base, int nptrs, int level, int h, long start, long from,
            long to, MappedVisitor v) throws IOException {
        long sp = span(h, level);
        int firstSlot = (int) Math.min(nptrs, Math.max(0, (from - start) / sp));
        for (int i = firstSlot; i < nptrs; i++) {
            long lo = start + i * sp;
            if (lo >= to) {
                return;
            }
            long p = buf.getLong(base + 8 * i);
            if (p == 0 || lo + sp <= from) {
                continue;
            }
            if (level == h - 1) {
                v.block(lo, p);
            } else {
                visit(g, fs.cache.read(p, g), IndirectBlock.OFF_POINTERS, geo.inptrs(), level + 1, h, lo, from, to, v);
            }
        }
    }
}
