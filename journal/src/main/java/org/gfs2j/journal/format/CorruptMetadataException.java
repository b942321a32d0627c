package org.gfs2j.journal.format;

import java.io.IOException;

/**
 * Metadata read from the device is not what GFS2 allows. It names the block, the structure and
 * the field so that an admin (and fsck) can find it; the file system turns it into EIO.
 */
public class CorruptMetadataException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long block;
    private final String structure;
    private final String field;

    public CorruptMetadataException(long block, String structure, String field, String detail) {
        super(String.format("corrupt %s at block %d: %s: %s", structure, block, field, detail));
        this.block = block;
        this.structure = structure;
        this.field = field;
    }

    /** The absolute block number, or -1 when the structure is not block-addressed. */
    public long block() {
        return block;
    }

    public String structure() {
        return structure;
    }

    public String field() {
        return field;
    }
}
