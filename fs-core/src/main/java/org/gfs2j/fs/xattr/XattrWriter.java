package org.gfs2j.fs.xattr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.fs.alloc.BlockRun;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.mount.Gfs2FileSystem;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.EaBlock;
import org.gfs2j.fs.ondisk.EaHeader;
import org.gfs2j.fs.ondisk.EdBlock;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.IndirectBlock;
import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * Sets and removes extended attributes of one inode inside a caller's {@link FsTransaction}, in
 * the layout the Linux kernel's gfs2 writes (spec 9), so that either side can continue where the
 * other left off:
 *
 * <ul>
 * <li>The first attribute allocates an EA block whose single record spans the block; the
 * attribute takes that record whole.
 * <li>A new or replacing attribute goes into the first record, in EA block order, that can hold
 * it: an UNUSED record of at least its size (taken whole), or the slack behind a used record
 * (split off). The record being replaced is still in place during that search.
 * <li>When no block has room, a new EA block is added; the first time, the inode's EA block moves
 * under a new indirect block (GFS2_DIF_EA_INDIRECT), whose pointers are packed and end at the
 * first 0. Allocation order: indirect block, EA block, ED blocks.
 * <li>A value whose stuffed record would exceed {@code jbsize} lives in ED blocks ({@code jbsize}
 * bytes each, the last zero-padded), the record holding their pointers.
 * <li>Removal (and the old copy of a replaced value) frees its ED blocks; the record then merges
 * into the record before it in the same block, or, when first in its block, becomes UNUSED with no
 * pointers. EA blocks are never given back here (the kernel keeps them too, until the inode goes).
 * </ul>
 *
 * <p>Unlike the kernel, which spreads a replace over up to three transactions, every call here is
 * part of the caller's single transaction. di_blocks counts every EA, indirect and ED block;
 * the allocator keeps the rgrps and statfs; ctime is set. The caller holds the inode's glock in EX
 * and, for allocations, rgrp locks ({@link #allocationBound}); when a call frees blocks (its result
 * is above 0) the transaction may commit without waiting for the log: the allocator keeps freed
 * blocks until the log makes the free durable ({@link FsTransaction#commit}).
 */
public final class XattrWriter {
    /** setxattr(2) flags. */
    public static final int XATTR_CREATE = 1;
    public static final int XATTR_REPLACE = 2;

    private final Gfs2FileSystem fs;
    private final Geometry geo;
    private final int fsFormat;

    /** A source of blocks: a transaction's view or the committed cache. */
    @FunctionalInterface
    public interface Blocks {
        ByteBuffer read(long block) throws IOException;
    }

    /** Where a record is: EA block and byte offset. */
    private record Loc(long block, int off) {
    }

    /** A place for a new record: {@code split} when it is the slack behind a used record. */
    private record Slot(long block, int off, boolean split) {
    }

    /** What a call changes in the dinode. */
    private static final class Change {
        long blocks;
        long eattr;
        int flags;
        int freed;

        Change(Dinode d) {
            eattr = d.eattr();
            flags = d.flags();
        }
    }

    public XattrWriter(Gfs2FileSystem fs) {
        this.fs = fs;
        this.geo = fs.geo;
        this.fsFormat = fs.reader.superblock().fsFormat();
    }

    public int fsFormat() {
        return fsFormat;
    }

    // ------------------------------------------------------------------ sizes

    private static int align8(int n) {
        return (n + 7) & ~7;
    }

    /** Bytes a record for this name and value needs in an EA block (stuffed or with ED pointers). */
    public static int recordSize(int nameLen, int dataLen, Geometry geo) {
        if (EaHeader.fitsStuffed(nameLen, dataLen, geo)) {
            return align8(EaHeader.SIZE + nameLen + dataLen);
        }
        return align8(EaHeader.SIZE + nameLen + 8 * EaHeader.edBlocksFor(dataLen, geo));
    }

    /** ED blocks the value needs (0 when it is stuffed). */
    public static int edBlocks(int nameLen, int dataLen, Geometry geo) {
        return EaHeader.fitsStuffed(nameLen, dataLen, geo) ? 0 : EaHeader.edBlocksFor(dataLen, geo);
    }

    /** ERANGE where the kernel's size check refuses (values over 64 KiB; ED pointers that do not fit a 512-byte block). */
    public void checkSize(XattrName n, int dataLen) throws FsException {
        if (dataLen > EaHeader.MAX_DATA_LEN) {
            throw new FsException(FsException.ERANGE, "attribute value longer than " + EaHeader.MAX_DATA_LEN + " bytes");
        }
        if (recordSize(n.name().length, dataLen, geo) > geo.jbsize()) {
            throw new FsException(FsException.ERANGE, "a " + dataLen + "-byte value does not fit the EA layout of "
                    + geo.bsize() + "-byte blocks");
        }
    }

    /** Most blocks a {@link #set} of such a value allocates: indirect block, EA block, ED blocks. */
    public int allocationBound(XattrName n, int dataLen) {
        return 2 + edBlocks(n.name().length, dataLen, geo);
    }

    /**
     * The blocks a {@link #set} of a {@code dataLen}-byte value would allocate now: 0 when a stuffed
     * value fits an existing record (then no rgrp needs reserving, as in the kernel's noalloc path).
     */
    public int blocksToAllocate(Blocks io, long ino, XattrName n, int dataLen) throws IOException {
        int ed = edBlocks(n.name().length, dataLen, geo);
        Dinode d = Dinode.decode(io.read(ino), ino);
        if (d.eattr() == 0) {
            return 1 + ed;
        }
        if (findSpace(io, ino, d, recordSize(n.name().length, dataLen, geo)) != null) {
            return ed;
        }
        return (d.hasFlag(Dinode.FLAG_EA_INDIRECT) ? 1 : 2) + ed;
    }

    /** Most metadata blocks a {@link #set} changes (for FsTransaction.begin), rgrps not included. */
    public int logBound(XattrName n, int dataLen) {
        return 5 + edBlocks(n.name().length, dataLen, geo);
    }

    // ------------------------------------------------------------------ reading

    /** The EA blocks of an inode in order (empty without di_eattr). */
    public List<Long> eaBlocks(Blocks io, long ino, Dinode d) throws IOException {
        List<Long> out = new ArrayList<>();
        if (d.eattr() == 0) {
            return out;
        }
        if (!d.hasFlag(Dinode.FLAG_EA_INDIRECT)) {
            out.add(d.eattr());
            return out;
        }
        ByteBuffer in = io.read(d.eattr());
        MetaHeader.check(in, d.eattr(), MetaType.IN);
        for (int i = 0; i < geo.inptrs(); i++) {
            long p = IndirectBlock.pointer(in, i);
            if (p == 0) {
                break;
            }
            out.add(p);
        }
        return out;
    }

    private List<EaBlock.Entry> walk(Blocks io, long block) throws IOException {
        return EaBlock.walk(io.read(block), block, fsFormat);
    }

    private Loc find(Blocks io, long ino, Dinode d, XattrName n) throws IOException {
        for (long blk : eaBlocks(io, ino, d)) {
            for (EaBlock.Entry e : walk(io, blk)) {
                if (!e.header().isUnused() && n.matches(e.header().type(), e.name())) {
                    return new Loc(blk, e.offset());
                }
            }
        }
        return null;
    }

    private EaBlock.Entry entryAt(Blocks io, Loc loc) throws IOException {
        for (EaBlock.Entry e : walk(io, loc.block())) {
            if (e.offset() == loc.off()) {
                return e;
            }
        }
        throw new IllegalStateException("no record at offset " + loc.off() + " of EA block " + loc.block());
    }

    /** The value of attribute {@code n}, or null when the inode has none. */
    public byte[] get(Blocks io, long ino, XattrName n) throws IOException {
        Dinode d = Dinode.decode(io.read(ino), ino);
        Loc loc = find(io, ino, d, n);
        if (loc == null) {
            return null;
        }
        EaBlock.Entry e = entryAt(io, loc);
        if (e.header().isStuffed()) {
            return e.value();
        }
        int len = (int) e.header().dataLen();
        byte[] out = new byte[len];
        int jb = geo.jbsize();
        long[] p = e.pointers();
        for (int i = 0, pos = 0; pos < len; i++, pos += jb) {
            byte[] part = EdBlock.decode(io.read(p[i]), p[i], Math.min(jb, len - pos));
            System.arraycopy(part, 0, out, pos, part.length);
        }
        return out;
    }

    /** ED blocks of attribute {@code n} (empty when absent or stuffed): what replacing or removing it frees. */
    public List<Long> edBlocksOf(Blocks io, long ino, XattrName n) throws IOException {
        Dinode d = Dinode.decode(io.read(ino), ino);
        Loc loc = find(io, ino, d, n);
        List<Long> out = new ArrayList<>();
        if (loc != null) {
            for (long p : entryAt(io, loc).pointers()) {
                if (p == 0) {
                    break;
                }
                out.add(p);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ changing

    /**
     * Sets attribute {@code n} to {@code value}: EEXIST with XATTR_CREATE when it exists, ENODATA
     * with XATTR_REPLACE when it does not, ENOSPC when the indirect block is full. Returns the
     * number of metadata blocks freed (the old value's ED blocks).
     */
    public int set(FsTransaction tx, long ino, XattrName n, byte[] value, int flags) throws IOException {
        checkSize(n, value.length);
        GlockName g = GlockName.inode(ino);
        Blocks io = b -> tx.read(b, g);
        Dinode d = Dinode.decode(tx.read(ino, g), ino);
        Change c = new Change(d);
        if (d.eattr() == 0) {
            if ((flags & XATTR_REPLACE) != 0) {
                throw new FsException(FsException.ENODATA, "no attribute " + n);
            }
            long ea = allocate(tx, ino, 1)[0];
            EaBlock.encodeEmpty(tx.create(ea, g));
            c.eattr = ea;
            c.blocks++;
            c.blocks += writeRecord(tx, g, ino, ea, EaBlock.OFF_RECORDS, n, value);
            finish(tx, ino, c);
            return 0;
        }
        Loc old = find(io, ino, d, n);
        if (old != null && (flags & XATTR_CREATE) != 0) {
            throw new FsException(FsException.EEXIST, "attribute " + n + " exists");
        }
        if (old == null && (flags & XATTR_REPLACE) != 0) {
            throw new FsException(FsException.ENODATA, "no attribute " + n);
        }
        int size = recordSize(n.name().length, value.length, geo);
        Slot s = findSpace(io, ino, d, size);
        if (s == null) {
            s = new Slot(newEaBlock(tx, g, ino, d, c), EaBlock.OFF_RECORDS, false);
        }
        ByteBuffer b = tx.modify(s.block(), g);
        int off = s.off();
        if (s.split()) {
            off = split(b, s.block(), off);
        } else {
            freeLeftovers(tx, g, b, s.block(), off, c);
        }
        c.blocks += writeRecord(tx, g, ino, s.block(), off, n, value);
        if (old != null) {
            removeRecord(tx, g, old, c);
        }
        finish(tx, ino, c);
        return c.freed;
    }

    /**
     * Removes attribute {@code n}; ENODATA when the inode has none. Returns the number of metadata
     * blocks freed.
     */
    public int remove(FsTransaction tx, long ino, XattrName n) throws IOException {
        GlockName g = GlockName.inode(ino);
        Dinode d = Dinode.decode(tx.read(ino, g), ino);
        Loc loc = d.eattr() == 0 ? null : find(b -> tx.read(b, g), ino, d, n);
        if (loc == null) {
            throw new FsException(FsException.ENODATA, "no attribute " + n);
        }
        Change c = new Change(d);
        removeRecord(tx, g, loc, c);
        finish(tx, ino, c);
        return c.freed;
    }

    /**
     * Rewrites the value of an existing stuffed attribute with one of the same length where it is
     * (an ACL after chmod: same entries, new bits). Returns false when the attribute does not exist;
     * touches neither the allocation nor the dinode.
     */
    public boolean overwrite(FsTransaction tx, long ino, XattrName n, byte[] value) throws IOException {
        GlockName g = GlockName.inode(ino);
        Blocks io = b -> tx.read(b, g);
        Dinode d = Dinode.decode(tx.read(ino, g), ino);
        Loc loc = d.eattr() == 0 ? null : find(io, ino, d, n);
        if (loc == null) {
            return false;
        }
        EaHeader h = entryAt(io, loc).header();
        if (!h.isStuffed() || h.dataLen() != value.length) {
            throw new IllegalArgumentException("overwrite needs a stuffed value of the same length");
        }
        tx.modify(loc.block(), g).put(loc.off() + h.valueOffset(), value);
        return true;
    }

    /** The first record, in EA block order, that can take {@code size} bytes (the kernel's ea_set_simple). */
    private Slot findSpace(Blocks io, long ino, Dinode d, int size) throws IOException {
        for (long blk : eaBlocks(io, ino, d)) {
            for (EaBlock.Entry e : walk(io, blk)) {
                EaHeader h = e.header();
                if (h.isUnused()) {
                    if (h.recLen() >= size) {
                        return new Slot(blk, e.offset(), false);
                    }
                } else if (h.recLen() - h.usedSize() >= size) {
                    return new Slot(blk, e.offset(), true);
                }
            }
        }
        return null;
    }

    /** Cuts the slack off the used record at {@code off} into a new UNUSED record; returns its offset. */
    private static int split(ByteBuffer b, long block, int off) throws CorruptMetadataException {
        EaHeader h = EaHeader.decode(b, off, block);
        int used = (int) h.usedSize();
        int last = h.flags() & EaHeader.FLAG_LAST;
        new EaHeader(used, h.dataLen(), h.nameLen(), h.type(), h.flags() & ~EaHeader.FLAG_LAST, h.numPtrs())
                .encode(b, off);
        new EaHeader(h.recLen() - used, 0, 0, EaHeader.TYPE_UNUSED, last, 0).encode(b, off + used);
        return off + used;
    }

    /** Frees the ED blocks of a record's {@code numPtrs} pointers at {@code base}, zeroing them, counted in {@code c}. */
    private void freeValueBlocks(FsTransaction tx, ByteBuffer b, int base, int numPtrs, Change c) throws IOException {
        for (int i = 0; i < numPtrs; i++) {
            long p = b.getLong(base + 8 * i);
            if (p == 0) {
                break;
            }
            fs.alloc.free(tx, p, 1, true);
            b.putLong(base + 8 * i, 0);
            c.blocks--;
            c.freed++;
        }
    }

    /** An UNUSED record may still carry ED pointers (a kernel interrupted mid-replace): free them before reuse. */
    private void freeLeftovers(FsTransaction tx, GlockName g, ByteBuffer b, long block, int off, Change c)
            throws IOException {
        EaHeader h = EaHeader.decode(b, off, block);
        if (!h.isUnused() || h.numPtrs() == 0) {
            return;
        }
        freeValueBlocks(tx, b, off + h.valueOffset(), h.numPtrs(), c);
        new EaHeader(h.recLen(), 0, 0, EaHeader.TYPE_UNUSED, h.flags(), 0).encode(b, off);
    }

    /**
     * Writes name and value into the record at {@code off}, keeping its length and LAST flag;
     * allocates and fills ED blocks for a large value. Returns the number of blocks allocated.
     */
    private int writeRecord(FsTransaction tx, GlockName g, long ino, long block, int off, XattrName n, byte[] value)
            throws IOException {
        ByteBuffer b = tx.modify(block, g);
        EaHeader at = EaHeader.decode(b, off, block);
        int nameLen = n.name().length;
        int nptrs = edBlocks(nameLen, value.length, geo);
        EaHeader h = new EaHeader(at.recLen(), value.length, nameLen, n.type(), at.flags() & EaHeader.FLAG_LAST, nptrs);
        b.put(off, new byte[(int) h.usedSize()]);
        h.encode(b, off);
        b.put(off + EaHeader.OFF_NAME, n.name());
        if (nptrs == 0) {
            b.put(off + h.valueOffset(), value);
            return 0;
        }
        long[] ed = allocate(tx, ino, nptrs);
        int jb = geo.jbsize();
        for (int i = 0; i < nptrs; i++) {
            int pos = i * jb;
            EdBlock.encode(tx.create(ed[i], g), value, pos, Math.min(jb, value.length - pos));
            b.putLong(off + h.valueOffset() + 8 * i, ed[i]);
        }
        return nptrs;
    }

    /**
     * Adds an EA block (and, the first time, the indirect block above the existing one); returns
     * the new EA block, whose one UNUSED record spans it.
     */
    private long newEaBlock(FsTransaction tx, GlockName g, long ino, Dinode d, Change c) throws IOException {
        ByteBuffer in;
        int slot;
        if (!d.hasFlag(Dinode.FLAG_EA_INDIRECT)) {
            long inBlock = allocate(tx, ino, 1)[0];
            in = tx.create(inBlock, g);
            MetaHeader.encode(in, MetaType.IN);
            IndirectBlock.setPointer(in, 0, d.eattr());
            slot = 1;
            c.eattr = inBlock;
            c.flags |= Dinode.FLAG_EA_INDIRECT;
            c.blocks++;
        } else {
            in = tx.modify(d.eattr(), g);
            MetaHeader.check(in, d.eattr(), MetaType.IN);
            slot = 0;
            while (slot < geo.inptrs() && IndirectBlock.pointer(in, slot) != 0) {
                slot++;
            }
            if (slot == geo.inptrs()) {
                throw new FsException(FsException.ENOSPC, "the inode's " + geo.inptrs() + " EA blocks are full");
            }
        }
        long ea = allocate(tx, ino, 1)[0];
        EaBlock.encodeEmpty(tx.create(ea, g));
        IndirectBlock.setPointer(in, slot, ea);
        c.blocks++;
        return ea;
    }

    /**
     * Removes the record at {@code loc}: its ED blocks are freed and their pointers zeroed, then it
     * merges into its predecessor in the block or, when first, becomes UNUSED without pointers.
     */
    private void removeRecord(FsTransaction tx, GlockName g, Loc loc, Change c) throws IOException {
        ByteBuffer b = tx.modify(loc.block(), g);
        List<EaBlock.Entry> entries = EaBlock.walk(b, loc.block(), fsFormat);
        EaBlock.Entry prev = null;
        EaBlock.Entry e = null;
        for (EaBlock.Entry x : entries) {
            if (x.offset() == loc.off()) {
                e = x;
                break;
            }
            prev = x;
        }
        if (e == null) {
            throw new IllegalStateException("no record at offset " + loc.off() + " of EA block " + loc.block());
        }
        EaHeader h = e.header();
        if (!h.isStuffed()) {
            freeValueBlocks(tx, b, loc.off() + h.valueOffset(), h.numPtrs(), c);
        }
        if (prev != null) {
            EaHeader ph = prev.header();
            new EaHeader(ph.recLen() + h.recLen(), ph.dataLen(), ph.nameLen(), ph.type(),
                    ph.flags() | (h.flags() & EaHeader.FLAG_LAST), ph.numPtrs()).encode(b, prev.offset());
        } else {
            new EaHeader(h.recLen(), h.dataLen(), h.nameLen(), EaHeader.TYPE_UNUSED, h.flags(), 0).encode(b, loc.off());
        }
    }

    private long[] allocate(FsTransaction tx, long ino, int count) throws IOException {
        long[] out = new long[count];
        int i = 0;
        for (BlockRun r : fs.alloc.allocate(tx, ino, count)) {
            for (long k = 0; k < r.length(); k++) {
                out[i++] = r.start() + k;
            }
        }
        return out;
    }

    /** di_blocks, di_eattr, the EA_INDIRECT flag and ctime. */
    private void finish(FsTransaction tx, long ino, Change c) throws IOException {
        ByteBuffer db = tx.modify(ino, GlockName.inode(ino));
        Dinode cur = Dinode.decode(db, ino);
        cur.withBlocks(cur.blocks() + c.blocks).withEattr(c.eattr).withFlags(c.flags).encode(db);
        setCtime(db, System.currentTimeMillis() * 1_000_000L);
    }

    static void setCtime(ByteBuffer db, long nowNs) {
        db.putLong(Dinode.OFF_CTIME, Math.floorDiv(nowNs, 1_000_000_000L));
        db.putInt(Dinode.OFF_CTIME_NSEC, (int) Math.floorMod(nowNs, 1_000_000_000L));
    }
}
