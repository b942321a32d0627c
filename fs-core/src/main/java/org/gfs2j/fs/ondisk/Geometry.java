package org.gfs2j.fs.ondisk;

import java.math.BigInteger;

/**
 * The constants GFS2 derives from the block size (spec/gfs2-format.md 1.3, 4.1, 6.2, 7.6).
 * Instances are cached per block size; use {@link #of(int)}.
 */
public final class Geometry {
    public static final int MIN_BSIZE = 512;
    public static final int MAX_BSIZE = 4096;
    /** Byte offset of the superblock on the device. */
    public static final long SB_BYTE_OFFSET = 65536;
    /** Directory hash-table depth limit (kernel). */
    public static final int MAX_DIR_DEPTH = 17;

    private static final Geometry[] CACHE = new Geometry[13];

    private final int bsize;
    private final int shift;
    private final long[] dataCapacity;   // bytes mappable at height h for regular files
    private final long[] jdCapacity;     // bytes mappable at height h for JD (dir hash table) data
    private final int maxHeight;

    private Geometry(int bsize) {
        this.bsize = bsize;
        this.shift = Integer.numberOfTrailingZeros(bsize);
        long[] caps = new long[11];
        long[] jcaps = new long[11];
        caps[0] = bsize - Dinode.SIZE;
        jcaps[0] = bsize - Dinode.SIZE;
        caps[1] = (long) bsize * diptrs();
        jcaps[1] = (long) jbsize() * diptrs();
        int h = 2;
        BigInteger limit = BigInteger.ONE.shiftLeft(64);
        while (h < caps.length) {
            BigInteger next = BigInteger.valueOf(caps[h - 1]).multiply(BigInteger.valueOf(inptrs()));
            if (next.compareTo(limit) >= 0) {
                break;
            }
            caps[h] = next.longValueExact();
            jcaps[h] = jcaps[h - 1] * inptrs();
            h++;
        }
        this.maxHeight = h;
        this.dataCapacity = java.util.Arrays.copyOf(caps, h);
        this.jdCapacity = java.util.Arrays.copyOf(jcaps, h);
    }

    /** The geometry of block size {@code bsize}; throws IllegalArgumentException if GFS2 cannot use it. */
    public static Geometry of(int bsize) {
        if (!isValidBlockSize(bsize)) {
            throw new IllegalArgumentException("block size " + bsize + " is not a power of two in 512..4096");
        }
        int shift = Integer.numberOfTrailingZeros(bsize);
        synchronized (CACHE) {
            if (CACHE[shift] == null) {
                CACHE[shift] = new Geometry(bsize);
            }
            return CACHE[shift];
        }
    }

    public static boolean isValidBlockSize(int bsize) {
        return bsize >= MIN_BSIZE && bsize <= MAX_BSIZE && Integer.bitCount(bsize) == 1;
    }

    public int bsize() {
        return bsize;
    }

    public int bsizeShift() {
        return shift;
    }

    /** Block number of the superblock. */
    public long sbBlock() {
        return SB_BYTE_OFFSET / bsize;
    }

    /** Block pointers in a dinode. */
    public int diptrs() {
        return (bsize - Dinode.SIZE) / 8;
    }

    /** Block pointers in an indirect block. */
    public int inptrs() {
        return (bsize - MetaHeaderSize.SIZE) / 8;
    }

    /** Payload bytes of a JD or ED block. */
    public int jbsize() {
        return bsize - MetaHeaderSize.SIZE;
    }

    /** Largest stuffed payload of a dinode. */
    public int maxStuffed() {
        return bsize - Dinode.SIZE;
    }

    /** Bytes of dirents in a leaf block. */
    public int leafDirentSpace() {
        return bsize - Leaf.SIZE;
    }

    /** Pointers in a freshly converted exhash table. */
    public int hashPtrs() {
        return bsize / 16;
    }

    /** Smallest exhash depth, log2(bsize/16). */
    public int minDirDepth() {
        return Integer.numberOfTrailingZeros(hashPtrs());
    }

    /** Bitmap bytes in the rgrp header block. */
    public int rgBitmapBytes() {
        return bsize - RgrpHeader.SIZE;
    }

    /** Bitmap bytes in each RB block. */
    public int rbBitmapBytes() {
        return bsize - MetaHeaderSize.SIZE;
    }

    /** Block pointers in a log descriptor. */
    public int logDescriptorPtrs() {
        return (bsize - 72) / 8;
    }

    /** Quota-change slots per QC block. */
    public int qcSlots() {
        return (bsize - MetaHeaderSize.SIZE) / QuotaChange.SIZE;
    }

    /** The kernel's maximum di_height for this block size. */
    public int maxHeight() {
        return maxHeight;
    }

    /** Bytes a regular file of height {@code h} can hold (h = 0: stuffed). */
    public long dataCapacity(int h) {
        return dataCapacity[h];
    }

    /** Bytes of directory hash table (JD payload) a tree of height {@code h} can hold. */
    public long jdCapacity(int h) {
        return jdCapacity[h];
    }

    /** The minimal height for a regular file of {@code size} bytes. */
    public int heightForSize(long size) {
        return minimalHeight(dataCapacity, size);
    }

    /** The minimal height for a directory hash table of {@code size} bytes. */
    public int heightForJdSize(long size) {
        return minimalHeight(jdCapacity, size);
    }

    /** The minimal height that maps {@code blocks} data blocks (ignoring the stuffed case). */
    public int heightForBlocks(long blocks) {
        long cap = diptrs();
        int h = 1;
        while (cap < blocks) {
            cap *= inptrs();
            h++;
            if (h >= maxHeight) {
                break;
            }
        }
        return h;
    }

    private int minimalHeight(long[] caps, long size) {
        for (int h = 0; h < caps.length; h++) {
            if (Long.compareUnsigned(caps[h], size) >= 0) {
                return h;
            }
        }
        throw new IllegalArgumentException("size " + size + " exceeds the largest tree");
    }

    /** Number of rgrp header blocks (RG + RB) needed for {@code bitbytes} bitmap bytes. */
    public int rgrpHeaderBlocks(long bitbytes) {
        if (bitbytes <= rgBitmapBytes()) {
            return 1;
        }
        long rest = bitbytes - rgBitmapBytes();
        return (int) (1 + (rest + rbBitmapBytes() - 1) / rbBitmapBytes());
    }

    @Override
    public String toString() {
        return "Geometry[bsize=" + bsize + "]";
    }

    /** The meta header size, named here so the constants above read as in the spec. */
    static final class MetaHeaderSize {
        static final int SIZE = org.gfs2j.journal.format.MetaHeader.SIZE;

        private MetaHeaderSize() {
        }
    }
}
