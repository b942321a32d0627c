package org.gfs2j.fs.mkfs;

import java.util.ArrayList;
import java.util.List;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.PointerTree;
import org.gfs2j.fs.ondisk.RindexEntry;

/**
 * Where mkfs puts resource groups (spec 4.4): one rgrp per journal, just big enough for the journal
 * file (dinode + indirect blocks + data, rounded up to 4), consecutively after the superblock;
 * the rest split into nearly equal rgrps of about the target size.
 *
 * @param rgrps           every rgrp, ascending; the first {@code journals} hold the journals
 * @param journals        number of journals
 * @param journalBlocks   data blocks per journal
 * @param journalHeight   tree height of a journal file
 * @param journalIndirect indirect blocks per journal file
 * @param totalBlocks     device size in blocks
 */
public record Layout(Geometry geo, List<RindexEntry> rgrps, int journals, long journalBlocks, int journalHeight,
                     long journalIndirect, long totalBlocks) {

    /** Plans the layout for a device of {@code totalBlocks} blocks. */
    public static Layout plan(Geometry geo, long totalBlocks, int journals, int journalMiB, int rgSizeMiB)
            throws MkfsException {
        long jBlocks = ((long) journalMiB << 20) / geo.bsize();
        int height = geo.heightForSize((long) journalMiB << 20);
        long nIn = PointerTree.indirectCount(geo, height, jBlocks);
        long jData = roundUp4(1 + nIn + jBlocks);
        int jLen = geo.rgrpHeaderBlocks(jData / 4);
        List<RindexEntry> rgrps = new ArrayList<>();
        long addr = geo.sbBlock() + 1;
        for (int j = 0; j < journals; j++) {
            rgrps.add(RindexEntry.of(addr, jLen, jData));
            addr += jLen + jData;
        }
        long space = totalBlocks - addr;
        // The smallest useful data rgrp: header + a few blocks; callers check the real need.
        if (space < 16) {
            throw new MkfsException(String.format("device too small: %d journal(s) of %d MiB need %d blocks of %d bytes"
                    + " (%.1f MiB) before any room for the system files; the device has %d blocks",
                    journals, journalMiB, addr, geo.bsize(), addr * (double) geo.bsize() / (1 << 20), totalBlocks));
        }
        for (long len : dataRgrpLengths(space, ((long) rgSizeMiB << 20) / geo.bsize())) {
            rgrps.add(fit(geo, addr, len));
            addr += len;
        }
        return new Layout(geo, List.copyOf(rgrps), journals, jBlocks, height, nIn, totalBlocks);
    }

    /**
     * Lengths of the data rgrps for {@code space} blocks with target length {@code target}, as
     * mkfs.gfs2 plans them: as many target-length rgrps as fit; if space is left over, one more
     * rgrp and all of them shortened until they fit, then some made one block shorter still so
     * that the total is just below the space (at most two distinct lengths, the longer first).
     */
    static List<Long> dataRgrpLengths(long space, long target) {
        long len0 = target;
        long num0 = space / len0;
        long len1 = len0 - 1;
        long num1 = 0;
        if (space - num0 * len0 > 0) {
            num0++;
            while ((len0 - 1) * num0 >= space) {
                len0--;
            }
            len1 = len0 - 1;
            while (len0 * num0 + len1 * num1 >= space) {
                num0--;
                num1++;
            }
        }
        List<Long> out = new ArrayList<>();
        for (long i = 0; i < num0; i++) {
            out.add(len0);
        }
        for (long i = 0; i < num1; i++) {
            out.add(len1);
        }
        return out;
    }

    /**
     * The rgrp mkfs.gfs2 makes of {@code len} blocks: enough bitmap blocks to map the data, and the
     * data (a multiple of 4) in what is left; a block may stay unused at the end.
     */
    static RindexEntry fit(Geometry geo, long addr, long len) {
        long perRg = 4L * geo.rgBitmapBytes();
        long perRb = 4L * geo.rbBitmapBytes();
        long bitblocks = 0;
        while (perRg + perRb * bitblocks < ((len - bitblocks) & ~3L)) {
            bitblocks++;
        }
        long mappable = bitblocks > 0 ? perRg + perRb * (bitblocks - 1) : 0;
        long data = (len - (bitblocks + 1)) & ~3L;
        if (mappable < data) {
            bitblocks++;
        }
        if (geo.rgrpHeaderBlocks(data / 4) != bitblocks) {
            // Never seen; keep the bitmap geometry rule rather than mkfs.gfs2's arithmetic.
            int hdr = 1;
            while (true) {
                data = (len - hdr) / 4 * 4;
                int need = geo.rgrpHeaderBlocks(data / 4);
                if (need <= hdr) {
                    return RindexEntry.of(addr, need, data);
                }
                hdr = need;
            }
        }
        return RindexEntry.of(addr, (int) bitblocks, data);
    }

    static long roundUp4(long n) {
        return (n + 3) & ~3L;
    }

    /** The end (exclusive) of the space rgrp {@code i} may use: the next rgrp's address, or the device end. */
    public long spanEnd(int i) {
        return i + 1 < rgrps.size() ? rgrps.get(i + 1).addr() : totalBlocks;
    }
}
