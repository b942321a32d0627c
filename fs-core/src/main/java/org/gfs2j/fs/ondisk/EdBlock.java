package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * An extended-attribute data block (ED, 1700): a meta header and up to {@code jbsize} bytes of
 * an unstuffed EA value (spec 9.3). The same layout, with type JD (700), carries directory
 * hash-table bytes (spec 7.6); {@link #encode(ByteBuffer, MetaType, byte[], int, int)} serves both.
 *
 * <pre>
 *  0 meta header (ED, 1700)   24 value bytes ... (unused tail zero)
 * </pre>
 */
public final class EdBlock {
    public static final int OFF_DATA = MetaHeader.SIZE;

    private EdBlock() {
    }

    /** Copies {@code len} payload bytes out of the block after checking its header. */
    public static byte[] decode(ByteBuffer block, long blockNo, int len) throws CorruptMetadataException {
        return decode(block, blockNo, MetaType.ED, len);
    }

    public static byte[] decode(ByteBuffer block, long blockNo, MetaType type, int len) throws CorruptMetadataException {
        MetaHeader.check(block, blockNo, type);
        Fields f = new Fields(block, 0, blockNo, type.description());
        return f.bytes(OFF_DATA, len, "data");
    }

    /** Writes header and {@code len} bytes of {@code src} from {@code off}; the rest of the block is zeroed. */
    public static void encode(ByteBuffer block, MetaType type, byte[] src, int off, int len) {
        ByteBuffer b = Fields.bigEndian(block);
        if (len > b.limit() - OFF_DATA) {
            throw new IllegalArgumentException(len + " bytes do not fit a " + b.limit() + "-byte block");
        }
        Fields.zero(b, 0, b.limit());
        MetaHeader.encode(b, type);
        b.put(OFF_DATA, src, off, len);
    }

    public static void encode(ByteBuffer block, byte[] src, int off, int len) {
        encode(block, MetaType.ED, src, off, len);
    }
}
