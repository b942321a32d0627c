package org.gfs2j.fs.meta;

import java.nio.ByteBuffer;
import org.gfs2j.journal.format.Checksums;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * The few fields of a journal log header ({@code gfs2_log_header}, spec 10.1) the read-only tools
 * need for a head search. The journal module owns the full codec
 * (org.gfs2j.journal.format); this minimal parser exists so the read path does not wait for it
 * and can be switched over later.
 *
 * <pre>
 *  0 meta header (LH, 800)  24 lh_sequence (u64)  32 lh_flags (u32)  36 lh_tail (u32)
 * 40 lh_blkno (u32)         44 lh_hash (u32)      48 lh_crc (u32, 0 = absent)
 * </pre>
 */
public record LogHeaderLite(long sequence, int flags, long tail, long blkno) {
    public static final int OFF_SEQUENCE = 24;
    public static final int OFF_FLAGS = 32;
    public static final int OFF_TAIL = 36;
    public static final int OFF_BLKNO = 40;
    public static final int OFF_HASH = 44;
    public static final int OFF_CRC = 48;
    public static final int HASHED_BYTES = 48;
    public static final int CRC_START = 52;
    public static final int FLAG_UNMOUNT = 0x1;

    /** The header in {@code block}, or null unless it is a valid log header (type, lh_hash, lh_crc). */
    public static LogHeaderLite parse(ByteBuffer block) {
        if (MetaHeader.typeOf(block, 0) != MetaType.LH || block.getInt(MetaHeader.OFF_FORMAT) != MetaType.LH.format()) {
            return null;
        }
        byte[] first = new byte[HASHED_BYTES];
        block.get(0, first);
        first[OFF_HASH] = first[OFF_HASH + 1] = first[OFF_HASH + 2] = first[OFF_HASH + 3] = 0;
        if (Checksums.gfs2Hash(first) != block.getInt(OFF_HASH)) {
            return null;
        }
        int crc = block.getInt(OFF_CRC);
        if (crc != 0 && crc != Checksums.crc32cRaw(block, CRC_START, block.limit() - CRC_START)) {
            return null;
        }
        return new LogHeaderLite(block.getLong(OFF_SEQUENCE), block.getInt(OFF_FLAGS),
                Integer.toUnsignedLong(block.getInt(OFF_TAIL)), Integer.toUnsignedLong(block.getInt(OFF_BLKNO)));
    }

    public boolean isUnmount() {
        return (flags & FLAG_UNMOUNT) != 0;
    }
}
