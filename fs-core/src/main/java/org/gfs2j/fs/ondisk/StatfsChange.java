package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * {@code gfs2_statfs_change} (24 bytes), the content of the master {@code statfs} file (absolute
 * totals) and of each {@code statfs_changeN} (pending deltas), stuffed at offset 232 (spec 11.1).
 *
 * <pre>
 *  0 sc_total (s64)   8 sc_free (s64)   16 sc_dinodes (s64)   24 end
 * </pre>
 */
public record StatfsChange(long total, long free, long dinodes) {
    public static final int OFF_TOTAL = 0;
    public static final int OFF_FREE = 8;
    public static final int OFF_DINODES = 16;
    public static final int SIZE = 24;
    public static final StatfsChange ZERO = new StatfsChange(0, 0, 0);

    public static StatfsChange decode(ByteBuffer buf, int off, long blockNo) throws CorruptMetadataException {
        Fields f = new Fields(buf, off, blockNo, "statfs change");
        return new StatfsChange(f.u64(OFF_TOTAL, "sc_total"), f.u64(OFF_FREE, "sc_free"), f.u64(OFF_DINODES, "sc_dinodes"));
    }

    public void encode(ByteBuffer buf, int off) {
        Fields.requireRoom(buf, off, SIZE, "statfs change");
        ByteBuffer b = Fields.bigEndian(buf);
        b.putLong(off + OFF_TOTAL, total);
        b.putLong(off + OFF_FREE, free);
        b.putLong(off + OFF_DINODES, dinodes);
    }

    public StatfsChange plus(StatfsChange d) {
        return new StatfsChange(total + d.total, free + d.free, dinodes + d.dinodes);
    }
}
