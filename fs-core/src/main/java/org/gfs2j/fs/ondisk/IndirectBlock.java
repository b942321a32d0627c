package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * An indirect block (IN, 500): a meta header and {@code inptrs} u64 block pointers (spec 6.1).
 * Also the layout of the EA indirect block (pointers to EA blocks, packed, ending at the first 0).
 *
 * <pre>
 *  0 meta header (IN, 500)   24 ptr[0]   32 ptr[1] ... 24 + 8*(inptrs-1) ptr[inptrs-1]
 * </pre>
 *
 * Pointer 0 is a hole.
 */
public record IndirectBlock(long[] pointers) {
    public static final int OFF_POINTERS = MetaHeader.SIZE;

    public static IndirectBlock decode(ByteBuffer block, long blockNo) throws CorruptMetadataException {
        MetaHeader.check(block, blockNo, MetaType.IN);
        int n = (block.limit() - OFF_POINTERS) / 8;
        Fields f = new Fields(block, 0, blockNo, "indirect block");
        long[] ptrs = new long[n];
        for (int i = 0; i < n; i++) {
            ptrs[i] = f.u64(OFF_POINTERS + 8 * i, "ptr[" + i + "]");
        }
        return new IndirectBlock(ptrs);
    }

    /** Writes header and pointers over the whole block (slots beyond {@code pointers} zero). */
    public void encode(ByteBuffer block) {
        int n = (block.limit() - OFF_POINTERS) / 8;
        if (pointers.length > n) {
            throw new IllegalArgumentException(pointers.length + " pointers, an indirect block holds " + n);
        }
        ByteBuffer b = Fields.bigEndian(block);
        Fields.zero(b, 0, b.limit());
        MetaHeader.encode(b, MetaType.IN);
        for (int i = 0; i < pointers.length; i++) {
            b.putLong(OFF_POINTERS + 8 * i, pointers[i]);
        }
    }

    public static long pointer(ByteBuffer block, int i) {
        return Fields.bigEndian(block).getLong(OFF_POINTERS + 8 * i);
    }

    public static void setPointer(ByteBuffer block, int i, long ptr) {
        Fields.bigEndian(block).putLong(OFF_POINTERS + 8 * i, ptr);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndirectBlock other && java.util.Arrays.equals(pointers, other.pointers);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(pointers);
    }

    @Override
    public String toString() {
        return "IndirectBlock" + java.util.Arrays.toString(pointers);
    }
}
