package org.gfs2j.fs.meta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.IndirectBlock;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaType;

/**
 * The block-pointer tree of one dinode (spec 6): maps logical blocks to device blocks over any
 * height, with holes (0 pointers at any level). Regular files count logical blocks in
 * {@code bsize} units; a directory's hash table is carried in JD blocks and counts in
 * {@code jbsize} units ({@link #unitSize()}).
 *
 * <p>Walks are bounded: only logical blocks below {@code ceil(di_size / unit)} are visited, every
 * pointer is range-checked, every inner block must be an IN block, and an IN block reached twice
 * is reported as corruption (a cycle or a shared subtree).
 */
public final class FileMap {
    private final Pointers ptrs;
    private final Geometry geo;
    private final Inode inode;
    private final boolean journaled;
    private final int height;
    private final long[] span;  // logical blocks covered by one pointer at each level

    /** The map of {@code inode}; directories use the JD (jbsize) layout. */
    public static FileMap of(Pointers ptrs, Geometry geo, Inode inode) throws CorruptMetadataException {
        return new FileMap(ptrs, geo, inode, inode.dinode().isDirectory());
    }

    public FileMap(Pointers ptrs, Geometry geo, Inode inode, boolean journaled) throws CorruptMetadataException {
        this.ptrs = ptrs;
        this.geo = geo;
        this.inode = inode;
        this.journaled = journaled;
        Dinode d = inode.dinode();
        this.height = d.height();
        if (height > geo.maxHeight()) {
            throw new CorruptMetadataException(inode.addr(), "dinode", "di_height", height + " exceeds " + geo.maxHeight());
        }
        long cap = capacity();
        if (Long.compareUnsigned(d.size(), cap) > 0) {
            throw new CorruptMetadataException(inode.addr(), "dinode", "di_size", Long.toUnsignedString(d.size())
                    + " bytes exceed the " + cap + " a tree of height " + height + " can hold");
        }
        span = new long[Math.max(height, 1)];
        if (height > 0) {
            span[height - 1] = 1;
            for (int l = height - 2; l >= 0; l--) {
                span[l] = span[l + 1] * geo.inptrs();
            }
        }
    }

    public Inode inode() {
        return inode;
    }

    public int height() {
        return height;
    }

    public boolean isStuffed() {
        return height == 0;
    }

    /** Bytes of file content per logical block: bsize, or jbsize for JD-carried content. */
    public int unitSize() {
        return journaled ? geo.jbsize() : geo.bsize();
    }

    public boolean isJournaled() {
        return journaled;
    }

    /** Bytes a tree of this height can hold (spec 6.2; jbsize-based for directories). */
    public long capacity() {
        return journaled ? geo.jdCapacity(height) : geo.dataCapacity(height);
    }

    /** Logical blocks covering di_size (0 for a stuffed dinode). */
    public long logicalBlocks() {
        if (height == 0) {
            return 0;
        }
        long size = inode.dinode().size();
        return size / unitSize() + (size % unitSize() == 0 ? 0 : 1);
    }

    /** Receives extents in ascending logical order. */
    @FunctionalInterface
    public interface ExtentVisitor {
        void extent(Extent e) throws IOException;
    }

    /** The device block holding logical block {@code logical}, or 0 for a hole. */
    public long map(long logical) throws IOException {
        long[] found = {0};
        forEachExtent(logical, logical + 1, e -> found[0] = e.device() + (logical - e.logical()));
        return found[0];
    }

    /** Visits the allocated extents within logical blocks [0, logicalBlocks()). */
    public void forEachExtent(ExtentVisitor v) throws IOException {
        forEachExtent(0, logicalBlocks(), v);
    }

    /** Visits the allocated extents intersecting logical blocks [from, to), clipped to that range. */
    public void forEachExtent(long from, long to, ExtentVisitor v) throws IOException {
        to = Math.min(to, logicalBlocks());
        if (height == 0 || from >= to) {
            return;
        }
        Walk w = new Walk(from, to, v);
        w.level(inode.block(), inode.addr(), Dinode.PAYLOAD_OFFSET, geo.diptrs(), 0, 0, "dinode", "di_ptr");
        w.flush();
    }

    /** The allocated extents of the content (merged where device blocks are contiguous). */
    public List<Extent> extents() throws IOException {
        List<Extent> out = new ArrayList<>();
        forEachExtent(out::add);
        return out;
    }

    /**
     * Allocated blocks per tree level over the whole tree, regardless of di_size: index 0 is the
     * dinode itself (1), 1..height-1 the IN blocks of each level, height the data (or JD) blocks.
     */
    public long[] blocksPerLevel() throws IOException {
        long[] counts = new long[height + 1];
        counts[0] = 1;
        if (height > 0) {
            countLevel(inode.block(), inode.addr(), Dinode.PAYLOAD_OFFSET, geo.diptrs(), 0, counts, new HashSet<>(), "dinode");
        }
        return counts;
    }

    private void countLevel(ByteBuffer b, long blockNo, int off, int n, int level, long[] counts, Set<Long> seen,
                            String structure) throws IOException {
        for (int i = 0; i < n; i++) {
            long p = b.getLong(off + 8 * i);
            if (p == 0) {
                continue;
            }
            String field = (level == 0 ? "di_ptr[" : "ptr[") + i + "]";
            ptrs.check(p, blockNo, structure, field);
            counts[level + 1]++;
            if (level + 1 < height) {
                if (!seen.add(p)) {
                    throw new CorruptMetadataException(blockNo, structure, field, "indirect block " + p + " is referenced twice");
                }
                ByteBuffer in = ptrs.readMeta(p, MetaType.IN, blockNo, structure, field);
                countLevel(in, p, IndirectBlock.OFF_POINTERS, geo.inptrs(), level + 1, counts, seen, "indirect block");
            }
        }
    }

    private final class Walk {
        private final long from;
        private final long to;
        private final ExtentVisitor v;
        private final Set<Long> seen = new HashSet<>();
        private long runLogical = -1;
        private long runDevice;
        private long runLength;

        Walk(long from, long to, ExtentVisitor v) {
            this.from = from;
            this.to = to;
            this.v = v;
        }

        void level(ByteBuffer b, long blockNo, int off, int n, int level, long base, String structure, String fieldPrefix)
                throws IOException {
            long s = span[level];
            int first = (int) Math.max(0, (from - base) / s);
            for (int i = first; i < n; i++) {
                long start = base + i * s;
                if (start >= to) {
                    return;
                }
                long p = b.getLong(off + 8 * i);
                if (p == 0 || start + s <= from) {
                    continue;
                }
                String field = fieldPrefix + "[" + i + "]";
                ptrs.check(p, blockNo, structure, field);
                if (level == height - 1) {
                    data(start, p);
                } else {
                    if (!seen.add(p)) {
                        throw new CorruptMetadataException(blockNo, structure, field, "indirect block " + p + " is referenced twice");
                    }
                    ByteBuffer in = ptrs.readMeta(p, MetaType.IN, blockNo, structure, field);
                    level(in, p, IndirectBlock.OFF_POINTERS, geo.inptrs(), level + 1, start, "indirect block", "ptr");
                }
            }
        }

        private void data(long logical, long device) throws IOException {
            if (runLogical >= 0 && logical == runLogical + runLength && device == runDevice + runLength) {
                runLength++;
                return;
            }
            flush();
            runLogical = logical;
            runDevice = device;
            runLength = 1;
        }

        void flush() throws IOException {
            if (runLogical >= 0) {
                v.extent(new Extent(runLogical, runDevice, runLength));
                runLogical = -1;
            }
        }
    }
}
