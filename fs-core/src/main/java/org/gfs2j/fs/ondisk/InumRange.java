package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * {@code gfs2_inum_range} (16 bytes), the obsolete content of {@code inum_rangeN} (spec 11.4);
 * fsck still requires the file with size exactly 16. mkfs writes zeros.
 *
 * <pre>
 *  0 ir_start (u64)   8 ir_length (u64)   16 end
 * </pre>
 */
public record InumRange(long start, long length) {
    public static final int OFF_START = 0;
    public static final int OFF_LENGTH = 8;
    public static final int SIZE = 16;

    public static InumRange decode(ByteBuffer buf, int off, long blockNo) throws CorruptMetadataException {
        Fields f = new Fields(buf, off, blockNo, "inum range");
        return new InumRange(f.u64(OFF_START, "ir_start"), f.u64(OFF_LENGTH, "ir_length"));
    }

    public void encode(ByteBuffer buf, int off) {
        Fields.requireRoom(buf, off, SIZE, "inum range");
        ByteBuffer b = Fields.bigEndian(buf);
        b.putLong(off + OFF_START, start);
        b.putLong(off + OFF_LENGTH, length);
    }
}
