package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * Bounds-checked big-endian field access for the codecs: every read names the field, so a
 * truncated or corrupt structure is reported as "structure at block N: field: why".
 */
final class Fields {
    private final ByteBuffer buf;
    private final int base;
    private final long blockNo;
    private final String structure;

    Fields(ByteBuffer buf, int base, long blockNo, String structure) {
        this.buf = bigEndian(buf);
        this.base = base;
        this.blockNo = blockNo;
        this.structure = structure;
    }

    static ByteBuffer bigEndian(ByteBuffer buf) {
        return buf.order() == ByteOrder.BIG_ENDIAN ? buf : buf.duplicate().order(ByteOrder.BIG_ENDIAN);
    }

    private void need(int off, int size, String field) throws CorruptMetadataException {
        if (base + off + size > buf.limit()) {
            throw corrupt(field, String.format("truncated: field ends at byte %d, buffer has %d",
                    base + off + size, buf.limit()));
        }
    }

    CorruptMetadataException corrupt(String field, String detail) {
        return new CorruptMetadataException(blockNo, structure, field, detail);
    }

    int u8(int off, String field) throws CorruptMetadataException {
        need(off, 1, field);
        return buf.get(base + off) & 0xff;
    }

    int u16(int off, String field) throws CorruptMetadataException {
        need(off, 2, field);
        return buf.getShort(base + off) & 0xffff;
    }

    int i32(int off, String field) throws CorruptMetadataException {
        need(off, 4, field);
        return buf.getInt(base + off);
    }

    long u32(int off, String field) throws CorruptMetadataException {
        return Integer.toUnsignedLong(i32(off, field));
    }

    long u64(int off, String field) throws CorruptMetadataException {
        need(off, 8, field);
        return buf.getLong(base + off);
    }

    byte[] bytes(int off, int len, String field) throws CorruptMetadataException {
        need(off, len, field);
        byte[] out = new byte[len];
        buf.get(base + off, out);
        return out;
    }

    /** Throws when a u32 that must fit a Java int (a length or count) does not. */
    int u32AsInt(int off, String field) throws CorruptMetadataException {
        int v = i32(off, field);
        if (v < 0) {
            throw corrupt(field, Integer.toUnsignedString(v) + " is out of range");
        }
        return v;
    }

    static void zero(ByteBuffer buf, int from, int to) {
        for (int i = from; i < to; i++) {
            buf.put(i, (byte) 0);
        }
    }

    static void requireRoom(ByteBuffer buf, int base, int size, String structure) {
        if (base < 0 || base + size > buf.limit()) {
            throw new IllegalArgumentException(String.format("%s needs %d bytes at offset %d, buffer has %d",
                    structure, size, base, buf.limit()));
        }
    }

    static int align8(int n) {
        return (n + 7) & ~7;
    }
}
