package org.gfs2j.fs.mkfs;

import java.nio.ByteBuffer;
import org.gfs2j.journal.format.Checksums;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * The log header mkfs.gfs2 writes in every journal block (spec 10.1, 10.6): UNMOUNT|USERSPACE,
 * tail 0, timestamps and statfs/quota fields 0, both checksums set. Kept package-private here so
 * that it can be swapped for the journal module's LogHeader codec.
 *
 * <pre>
 *  0 meta header (LH, 800)  24 lh_sequence  32 lh_flags  36 lh_tail  40 lh_blkno  44 lh_hash
 *  48 lh_crc  52 lh_nsec  56 lh_sec  64 lh_addr  72 lh_jinode  80 lh_statfs_addr
 *  88 lh_quota_addr  96 lh_local_total  104 lh_local_free  112 lh_local_dinodes  120.. zero
 * </pre>
 */
final class MkfsLogHeader {
    static final int OFF_SEQUENCE = 24;
    static final int OFF_FLAGS = 32;
    static final int OFF_TAIL = 36;
    static final int OFF_BLKNO = 40;
    static final int OFF_HASH = 44;
    static final int OFF_CRC = 48;
    static final int OFF_ADDR = 64;
    static final int OFF_JINODE = 72;
    static final int HASH_LEN = 48;
    static final int CRC_START = 52;
    static final int FLAG_UNMOUNT = 0x1;
    static final int FLAG_USERSPACE = 0x80000000;

    private MkfsLogHeader() {
    }

    /**
     * Writes the header for journal block {@code blkno} into {@code buf} at {@code base}
     * ({@code bsize} bytes, assumed zero beyond byte 120).
     */
    static void encode(ByteBuffer buf, int base, int bsize, long sequence, int blkno, long addr, long jinode) {
        MetaHeader.encode(buf, base, MetaType.LH, 0);
        buf.putLong(base + OFF_SEQUENCE, sequence);
        buf.putInt(base + OFF_FLAGS, FLAG_UNMOUNT | FLAG_USERSPACE);
        buf.putInt(base + OFF_TAIL, 0);
        buf.putInt(base + OFF_BLKNO, blkno);
        buf.putInt(base + OFF_HASH, 0);
        buf.putInt(base + OFF_CRC, 0);
        buf.putLong(base + OFF_ADDR, addr);
        buf.putLong(base + OFF_JINODE, jinode);
        buf.putInt(base + OFF_HASH, Checksums.gfs2Hash(buf, base, HASH_LEN));
        buf.putInt(base + OFF_CRC, Checksums.crc32cRaw(buf, base + CRC_START, bsize - CRC_START));
    }
}
