package org.gfs2j.fs.glock;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The rgrp glock's value block (spec 4.6), 32 bytes, big-endian:
 * <pre>
 *  0  magic 0x01161970 when valid
 *  4  rgrp flags (as in the header)
 *  8  free blocks
 * 12  dinode count
 * 16  inode generation counter (8)
 * 24  blocks in state "unlinked"
 * 28  padding, zero
 * </pre>
 * A value without the magic (never written, or zeroed because the DLM flagged it invalid after
 * a writer died) means: read the header and bitmaps from disk and rebuild it.
 */
public record RgrpLvb(int flags, int freeBlocks, int dinodes, long igeneration, int unlinked) {
    public static final int MAGIC = 0x01161970;
    public static final int LENGTH = 32;
    static final int OFF_MAGIC = 0, OFF_FLAGS = 4, OFF_FREE = 8, OFF_DINODES = 12, OFF_IGENERATION = 16,
            OFF_UNLINKED = 24, OFF_PAD = 28;

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.putInt(OFF_MAGIC, MAGIC);
        b.putInt(OFF_FLAGS, flags);
        b.putInt(OFF_FREE, freeBlocks);
        b.putInt(OFF_DINODES, dinodes);
        b.putLong(OFF_IGENERATION, igeneration);
        b.putInt(OFF_UNLINKED, unlinked);
        b.putInt(OFF_PAD, 0);
        return b.array();
    }

    /** The value, or empty if it is not valid (wrong magic or length). */
    public static Optional<RgrpLvb> decode(byte[] lvb) {
        if (lvb == null || lvb.length < LENGTH) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(lvb);
        if (b.getInt(OFF_MAGIC) != MAGIC) {
            return Optional.empty();
        }
        return Optional.of(new RgrpLvb(b.getInt(OFF_FLAGS), b.getInt(OFF_FREE), b.getInt(OFF_DINODES),
                b.getLong(OFF_IGENERATION), b.getInt(OFF_UNLINKED)));
    }
}
