package org.gfs2j.fs.meta;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * Follows on-disk block pointers safely: a pointer must lie after the superblock and inside the
 * device, and the block it reaches must carry the expected metadata type. Errors name the block
 * holding the pointer and the field, so a corrupt image reads as "which block, which field".
 */
public final class Pointers {
    private final BlockSource src;
    private final long firstValid;

    public Pointers(BlockSource src, long sbBlock) {
        this.src = src;
        this.firstValid = sbBlock + 1;
    }

    public BlockSource source() {
        return src;
    }

    /** Throws unless {@code ptr} (held in {@code field} of {@code structure} at block {@code from}) is a usable block. */
    public void check(long ptr, long from, String structure, String field) throws CorruptMetadataException {
        if (ptr < firstValid || ptr >= src.blockCount()) {
            throw new CorruptMetadataException(from, structure, field,
                    "pointer " + Long.toUnsignedString(ptr) + " is outside the file system (blocks "
                            + firstValid + ".." + (src.blockCount() - 1) + ")");
        }
    }

    /** Checks the pointer, reads the block and checks its meta header against {@code type}. */
    public ByteBuffer readMeta(long ptr, MetaType type, long from, String structure, String field) throws IOException {
        check(ptr, from, structure, field);
        ByteBuffer b = src.read(ptr);
        MetaHeader.check(b, ptr, type);
        return b;
    }

    /** Checks the pointer and reads the block (a raw data block: no header). */
    public ByteBuffer readData(long ptr, long from, String structure, String field) throws IOException {
        check(ptr, from, structure, field);
        return src.read(ptr);
    }
}
