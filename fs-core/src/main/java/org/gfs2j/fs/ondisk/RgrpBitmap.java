package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * The 2-bit allocation states of one resource group, over its header blocks held contiguously
 * in one buffer of {@code ri_length * bsize} bytes (spec 4.3).
 *
 * <pre>
 *  block 0 (RG): [128-byte rgrp header][bsize-128 bitmap bytes]
 *  block k (RB): [24-byte meta header ][bsize-24  bitmap bytes]
 *  byte i/4, bits 2*(i%4)..2*(i%4)+1 describe data block ri_data0 + i
 * </pre>
 *
 * Block {@code i} of the rgrp's data area is relative to {@code ri_data0}. Changing a state does not
 * touch the header's counters; callers keep rg_free/rg_dinodes in step (see {@link #count}).
 */
public final class RgrpBitmap {
    public static final int FREE = 0;
    public static final int USED = 1;
    public static final int UNLINKED = 2;
    public static final int DINODE = 3;

    private final ByteBuffer blocks;
    private final Geometry geo;
    private final long entries;

    /**
     * @param blocks the RG block followed by its RB blocks, {@code length * bsize} bytes
     * @param data   ri_data, the number of data blocks described
     */
    public RgrpBitmap(ByteBuffer blocks, Geometry geo, long data) {
        long bytesNeeded = (long) geo.rgrpHeaderBlocks(data / 4) * geo.bsize();
        if (blocks.limit() < bytesNeeded) {
            throw new IllegalArgumentException("bitmap buffer of " + blocks.limit() + " bytes, need " + bytesNeeded);
        }
        this.blocks = blocks;
        this.geo = geo;
        this.entries = data;
    }

    /** Checks the RB headers (type 3 / format 300) of blocks 1..length-1. */
    public static void checkBitmapBlocks(ByteBuffer blocks, Geometry geo, long firstBlockNo, int length)
            throws CorruptMetadataException {
        for (int k = 1; k < length; k++) {
            ByteBuffer one = blocks.duplicate().position(k * geo.bsize()).limit((k + 1) * geo.bsize()).slice();
            MetaHeader.check(one, firstBlockNo + k, MetaType.RB);
        }
    }

    /** Writes RB meta headers on blocks 1..length-1 of the buffer. */
    public static void stampBitmapBlocks(ByteBuffer blocks, Geometry geo, int length) {
        for (int k = 1; k < length; k++) {
            MetaHeader.encode(Fields.bigEndian(blocks), k * geo.bsize(), MetaType.RB, 0);
        }
    }

    /** Absolute buffer offset of bitmap byte {@code byteIndex}. */
    public int byteOffset(long byteIndex) {
        int bsize = geo.bsize();
        if (byteIndex < geo.rgBitmapBytes()) {
            return (int) (RgrpHeader.SIZE + byteIndex);
        }
        long rest = byteIndex - geo.rgBitmapBytes();
        long blk = 1 + rest / geo.rbBitmapBytes();
        return (int) (blk * bsize + MetaHeader.SIZE + rest % geo.rbBitmapBytes());
    }

    public long size() {
        return entries;
    }

    public int get(long i) {
        check(i);
        int b = blocks.get(byteOffset(i >>> 2)) & 0xff;
        return (b >>> (2 * (int) (i & 3))) & 3;
    }

    public void set(long i, int state) {
        check(i);
        if (state < 0 || state > 3) {
            throw new IllegalArgumentException("bitmap state " + state);
        }
        int off = byteOffset(i >>> 2);
        int shift = 2 * (int) (i & 3);
        int b = blocks.get(off) & 0xff;
        b = (b & ~(3 << shift)) | (state << shift);
        blocks.put(off, (byte) b);
    }

    /** Sets {@code count} consecutive entries from {@code first} to {@code state}. */
    public void setRange(long first, long count, int state) {
        long i = first;
        long end = first + count;
        // Whole bytes at once where possible; mkfs-sized extents are millions of entries.
        while (i < end && (i & 3) != 0) {
            set(i++, state);
        }
        byte full = (byte) (state | state << 2 | state << 4 | state << 6);
        while (end - i >= 4) {
            blocks.put(byteOffset(i >>> 2), full);
            i += 4;
        }
        while (i < end) {
            set(i++, state);
        }
    }

    /** Number of entries in {@code state}. */
    public long count(int state) {
        long n = 0;
        for (long i = 0; i < entries; i++) {
            if (get(i) == state) {
                n++;
            }
        }
        return n;
    }

    /** The first entry at or after {@code from} in {@code state}, or -1. */
    public long find(long from, int state) {
        for (long i = from; i < entries; i++) {
            if (get(i) == state) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The first FREE entry in [{@code from}, {@code end}), or -1. Bytes whose four entries are all
     * in use are skipped whole: allocation searches start at a goal that usually has a long used
     * stretch after it, and testing entry by entry was the allocator's largest CPU cost.
     */
    public long nextFree(long from, long end) {
        long i = Math.max(from, 0);
        long stop = Math.min(end, entries);
        while (i < stop) {
            if ((i & 3) == 0 && stop - i >= 4) {
                int b = blocks.get(byteOffset(i >>> 2)) & 0xff;
                // an entry is FREE (00) iff both of its bits are clear
                if ((~b & (~b >>> 1) & 0x55) == 0) {
                    i += 4;
                    continue;
                }
            }
            if (get(i) == FREE) {
                return i;
            }
            i++;
        }
        return -1;
    }

    private void check(long i) {
        if (i < 0 || i >= entries) {
            throw new IndexOutOfBoundsException("bitmap entry " + i + " of " + entries);
        }
    }
}
