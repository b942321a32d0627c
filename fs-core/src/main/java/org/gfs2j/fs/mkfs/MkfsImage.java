package org.gfs2j.fs.mkfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.gfs2j.fs.dir.DirBlockIo;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.RgrpBitmap;
import org.gfs2j.fs.ondisk.RgrpHeader;
import org.gfs2j.fs.ondisk.RindexEntry;

/**
 * The file system under construction, in memory: allocation state of every rgrp (bitmaps created
 * only for rgrps that get allocations) and the content of every metadata block written so far.
 * Bulk regions (journal blocks, quota-change blocks) are not held here; {@link Mkfs} streams them.
 *
 * <p>Allocation follows mkfs.gfs2: journals at the start of their own rgrps, every other block
 * the first unallocated block of the first rgrp with room.
 */
final class MkfsImage implements DirBlockIo {
    private final Geometry geo;
    private final Layout layout;
    private final Rgrp[] rgrps;
    private final NavigableMap<Long, ByteBuffer> blocks = new TreeMap<>();

    /** Allocation state of one rgrp. Blocks are handed out in order from {@code next}. */
    static final class Rgrp {
        final RindexEntry ri;
        long next;
        long free;
        long dinodes;
        ByteBuffer header;  // RG + RB blocks, created on first allocation
        RgrpBitmap bitmap;

        Rgrp(RindexEntry ri) {
            this.ri = ri;
            this.free = ri.data();
        }
    }

    MkfsImage(Geometry geo, Layout layout) {
        this.geo = geo;
        this.layout = layout;
        this.rgrps = new Rgrp[layout.rgrps().size()];
        for (int i = 0; i < rgrps.length; i++) {
            rgrps[i] = new Rgrp(layout.rgrps().get(i));
        }
    }

    Rgrp rgrp(int i) {
        return rgrps[i];
    }

    int rgrpCount() {
        return rgrps.length;
    }

    private RgrpBitmap bitmap(Rgrp rg) {
        if (rg.bitmap == null) {
            rg.header = ByteBuffer.allocate((int) rg.ri.length() * geo.bsize());
            rg.bitmap = new RgrpBitmap(rg.header, geo, rg.ri.data());
        }
        return rg.bitmap;
    }

    /** Marks {@code count} blocks from the next unallocated one of rgrp {@code i}; returns the first. */
    long take(int i, long count, int state) throws MkfsException {
        Rgrp rg = rgrps[i];
        if (rg.ri.data() - rg.next < count) {
            throw new MkfsException("internal: rgrp " + i + " has no room for " + count + " blocks");
        }
        long first = rg.next;
        bitmap(rg).setRange(first, count, state);
        rg.next += count;
        rg.free -= count;
        if (state == RgrpBitmap.DINODE) {
            rg.dinodes += count;
        }
        return rg.ri.data0() + first;
    }

    private int firstWithRoom;

    /** The first unallocated block, in the first rgrp with room. */
    long allocBlock(int state) throws MkfsException {
        while (firstWithRoom < rgrps.length && rgrps[firstWithRoom].next >= rgrps[firstWithRoom].ri.data()) {
            firstWithRoom++;
        }
        if (firstWithRoom == rgrps.length) {
            throw new MkfsException("device too small: no room left for the system files");
        }
        return take(firstWithRoom, 1, state);
    }

    void put(long block, ByteBuffer data) {
        if (data.limit() != geo.bsize()) {
            throw new IllegalArgumentException("block " + block + " buffer of " + data.limit() + " bytes");
        }
        blocks.put(block, data);
    }

    ByteBuffer get(long block) {
        return blocks.get(block);
    }

    NavigableMap<Long, ByteBuffer> blocks() {
        return blocks;
    }

    @Override
    public ByteBuffer read(long block) throws IOException {
        ByteBuffer b = blocks.get(block);
        if (b == null) {
            throw new IOException("internal: block " + block + " was never written");
        }
        return b;
    }

    @Override
    public void write(long block, ByteBuffer data) {
        put(block, data);
    }

    @Override
    public long allocate(long goal) throws IOException {
        return allocBlock(RgrpBitmap.USED);
    }

    @Override
    public void free(long block) throws IOException {
        for (Rgrp rg : rgrps) {
            if (rg.ri.containsData(block)) {
                RgrpBitmap bm = bitmap(rg);
                long i = block - rg.ri.data0();
                if (bm.get(i) == RgrpBitmap.DINODE) {
                    rg.dinodes--;
                }
                bm.set(i, RgrpBitmap.FREE);
                rg.free++;
                blocks.remove(block);
                return;
            }
        }
        throw new IOException("internal: block " + block + " is in no rgrp");
    }

    /**
     * The header blocks (RG + RB, bitmap included) of rgrp {@code i}, ready to write; an rgrp with
     * no allocations gets an all-free bitmap.
     */
    ByteBuffer headerBlocks(int i) {
        Rgrp rg = rgrps[i];
        ByteBuffer buf = rg.header != null ? rg.header : ByteBuffer.allocate((int) rg.ri.length() * geo.bsize());
        long skip = i + 1 < rgrps.length ? rgrps[i + 1].ri.addr() - rg.ri.addr() : 0;
        new RgrpHeader(0, rg.free, rg.dinodes, skip, 0, rg.ri.data0(), rg.ri.data(), rg.ri.bitbytes()).encode(buf);
        RgrpBitmap.stampBitmapBlocks(buf, geo, (int) rg.ri.length());
        return buf;
    }

    long totalData() {
        long n = 0;
        for (Rgrp rg : rgrps) {
            n += rg.ri.data();
        }
        return n;
    }

    long totalFree() {
        long n = 0;
        for (Rgrp rg : rgrps) {
            n += rg.free;
        }
        return n;
    }

    long totalDinodes() {
        long n = 0;
        for (Rgrp rg : rgrps) {
            n += rg.dinodes;
        }
        return n;
    }

    Layout layout() {
        return layout;
    }
}
