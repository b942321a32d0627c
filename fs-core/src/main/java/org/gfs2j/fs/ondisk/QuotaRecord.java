package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * {@code gfs2_quota} (88 bytes), one record of the {@code quota} system file (spec 11.2). Record
 * index for uid u is 2u, for gid g 2g+1.
 *
 * <pre>
 *  0 qu_limit (u64)   8 qu_warn (u64)   16 qu_value (s64)   24 reserved (64)   88 end
 * </pre>
 */
public record QuotaRecord(long limit, long warn, long value) {
    public static final int OFF_LIMIT = 0;
    public static final int OFF_WARN = 8;
    public static final int OFF_VALUE = 16;
    public static final int OFF_RESERVED = 24;
    public static final int SIZE = 88;

    public static long userIndex(long uid) {
        return 2 * uid;
    }

    public static long groupIndex(long gid) {
        return 2 * gid + 1;
    }

    public static QuotaRecord decode(ByteBuffer buf, int off, long blockNo) throws CorruptMetadataException {
        Fields f = new Fields(buf, off, blockNo, "quota record");
        QuotaRecord q = new QuotaRecord(f.u64(OFF_LIMIT, "qu_limit"), f.u64(OFF_WARN, "qu_warn"), f.u64(OFF_VALUE, "qu_value"));
        f.bytes(OFF_RESERVED, SIZE - OFF_RESERVED, "qu_reserved");
        return q;
    }

    public void encode(ByteBuffer buf, int off) {
        Fields.requireRoom(buf, off, SIZE, "quota record");
        ByteBuffer b = Fields.bigEndian(buf);
        Fields.zero(b, off, off + SIZE);
        b.putLong(off + OFF_LIMIT, limit);
        b.putLong(off + OFF_WARN, warn);
        b.putLong(off + OFF_VALUE, value);
    }
}
