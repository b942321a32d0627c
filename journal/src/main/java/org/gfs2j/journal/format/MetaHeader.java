package org.gfs2j.journal.format;

import java.nio.ByteBuffer;

/**
 * Codec of {@code gfs2_meta_header}, the 24 bytes that start every metadata block.
 *
 * <pre>
 *  0      4      8              16     20     24
 *  +------+------+--------------+------+------+
 *  |magic | type |    pad0      |format| jid  |
 *  +------+------+--------------+------+------+
 * </pre>
 *
 * All fields big-endian. {@code pad0} is written as zero; {@code jid} is informational (the
 * journal id of the node that last journaled the block) and ignored by readers.
 */
public final class MetaHeader {
    public static final int MAGIC = 0x01161970;
    public static final int OFF_MAGIC = 0;
    public static final int OFF_TYPE = 4;
    public static final int OFF_PAD0 = 8;
    public static final int OFF_FORMAT = 16;
    public static final int OFF_JID = 20;
    public static final int SIZE = 24;

    private MetaHeader() {
    }

    /** Writes the header at the buffer's absolute position {@code base}. */
    public static void encode(ByteBuffer buf, int base, MetaType type, int jid) {
        buf.putInt(base + OFF_MAGIC, MAGIC);
        buf.putInt(base + OFF_TYPE, type.type());
        buf.putLong(base + OFF_PAD0, 0L);
        buf.putInt(base + OFF_FORMAT, type.format());
        buf.putInt(base + OFF_JID, jid);
    }

    /** Writes the header at the start of {@code block}. */
    public static void encode(ByteBuffer block, MetaType type) {
        encode(block, 0, type, 0);
    }

    /** True when the buffer at {@code base} starts with the GFS2 magic. */
    public static boolean hasMagic(ByteBuffer buf, int base) {
        return buf.limit() - base >= SIZE && buf.getInt(base + OFF_MAGIC) == MAGIC;
    }

    /** The block type found at {@code base}, or null when the magic or type is not GFS2's. */
    public static MetaType typeOf(ByteBuffer buf, int base) {
        if (!hasMagic(buf, base)) {
            return null;
        }
        return MetaType.ofType(buf.getInt(base + OFF_TYPE));
    }

    /**
     * Checks that the block starts with a header of the expected type and format.
     *
     * @param blockNo the block's absolute number, named in the error
     */
    public static void check(ByteBuffer block, long blockNo, MetaType expected)
            throws CorruptMetadataException {
        if (block.limit() < SIZE) {
            throw new CorruptMetadataException(blockNo, expected.description(), "mh_magic",
                    "block is " + block.limit() + " bytes, shorter than a meta header");
        }
        int magic = block.getInt(OFF_MAGIC);
        if (magic != MAGIC) {
            throw new CorruptMetadataException(blockNo, expected.description(), "mh_magic",
                    String.format("0x%08x, expected 0x%08x", magic, MAGIC));
        }
        int type = block.getInt(OFF_TYPE);
        if (type != expected.type()) {
            MetaType found = MetaType.ofType(type);
            throw new CorruptMetadataException(blockNo, expected.description(), "mh_type",
                    type + (found == null ? "" : " (" + found.description() + ")")
                            + ", expected " + expected.type());
        }
        int format = block.getInt(OFF_FORMAT);
        if (format != expected.format()) {
            throw new CorruptMetadataException(blockNo, expected.description(), "mh_format",
                    format + ", expected " + expected.format());
        }
    }

    public static int jid(ByteBuffer block) {
        return block.getInt(OFF_JID);
    }
}
