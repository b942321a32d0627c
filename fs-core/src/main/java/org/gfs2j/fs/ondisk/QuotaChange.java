package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * {@code gfs2_quota_change} (16 bytes), one slot of a QC block of a {@code quota_changeN} file
 * (spec 11.3). A QC block is a meta header (QC, 1400) followed by {@code (bsize-24)/16} slots.
 *
 * <pre>
 *  slot:  0 qc_change (s64)   8 qc_flags (u32)   12 qc_id (u32)
 *  block: 0 meta header (QC)  24 slot[0]  40 slot[1] ...
 * </pre>
 *
 * {@code qc_change} 0 marks a free slot.
 */
public record QuotaChange(long change, int flags, long id) {
    public static final int OFF_CHANGE = 0;
    public static final int OFF_FLAGS = 8;
    public static final int OFF_ID = 12;
    public static final int SIZE = 16;
    public static final int OFF_SLOTS = MetaHeader.SIZE;
    public static final int FLAG_USER = 0x1;

    public static QuotaChange decode(ByteBuffer buf, int off, long blockNo) throws CorruptMetadataException {
        Fields f = new Fields(buf, off, blockNo, "quota change");
        return new QuotaChange(f.u64(OFF_CHANGE, "qc_change"), f.i32(OFF_FLAGS, "qc_flags"), f.u32(OFF_ID, "qc_id"));
    }

    public void encode(ByteBuffer buf, int off) {
        Fields.requireRoom(buf, off, SIZE, "quota change");
        ByteBuffer b = Fields.bigEndian(buf);
        b.putLong(off + OFF_CHANGE, change);
        b.putInt(off + OFF_FLAGS, flags);
        b.putInt(off + OFF_ID, (int) id);
    }

    public boolean isFree() {
        return change == 0;
    }

    /** Decodes slot {@code i} of a QC block after checking the block header. */
    public static QuotaChange decodeSlot(ByteBuffer block, long blockNo, int i) throws CorruptMetadataException {
        MetaHeader.check(block, blockNo, MetaType.QC);
        return decode(block, OFF_SLOTS + SIZE * i, blockNo);
    }

    /** Writes an empty QC block: the header and all slots zero. */
    public static void encodeEmptyBlock(ByteBuffer block) {
        ByteBuffer b = Fields.bigEndian(block);
        Fields.zero(b, 0, b.limit());
        MetaHeader.encode(b, MetaType.QC);
    }
}
