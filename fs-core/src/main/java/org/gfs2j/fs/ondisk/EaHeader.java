package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * {@code gfs2_ea_header}: the 16-byte header of one extended-attribute record in an EA block
 * (spec 9.2). The name follows at offset 16; then either the value (stuffed, {@code num_ptrs} 0)
 * or {@code num_ptrs} u64 ED block pointers at {@code 16 + align8(name_len)}.
 *
 * <pre>
 *  0 ea_rec_len (u32)  4 ea_data_len (u32)  8 ea_name_len (u8)  9 ea_type (u8)
 * 10 ea_flags (u8)    11 ea_num_ptrs (u8)  12 pad (u32)        16 name ...
 * </pre>
 */
public record EaHeader(long recLen, long dataLen, int nameLen, int type, int flags, int numPtrs) {
    public static final int OFF_REC_LEN = 0;
    public static final int OFF_DATA_LEN = 4;
    public static final int OFF_NAME_LEN = 8;
    public static final int OFF_TYPE = 9;
    public static final int OFF_FLAGS = 10;
    public static final int OFF_NUM_PTRS = 11;
    public static final int OFF_PAD = 12;
    public static final int OFF_NAME = 16;
    public static final int SIZE = 16;

    public static final int TYPE_UNUSED = 0;
    public static final int TYPE_USER = 1;
    public static final int TYPE_SYSTEM = 2;
    public static final int TYPE_SECURITY = 3;
    public static final int TYPE_TRUSTED = 4;
    public static final int FLAG_LAST = 0x01;
    public static final int MAX_DATA_LEN = 65536;

    public static EaHeader decode(ByteBuffer buf, int off, long blockNo) throws CorruptMetadataException {
        Fields f = new Fields(buf, off, blockNo, "extended attribute at offset " + off);
        EaHeader h = new EaHeader(f.u32(OFF_REC_LEN, "ea_rec_len"), f.u32(OFF_DATA_LEN, "ea_data_len"),
                f.u8(OFF_NAME_LEN, "ea_name_len"), f.u8(OFF_TYPE, "ea_type"), f.u8(OFF_FLAGS, "ea_flags"),
                f.u8(OFF_NUM_PTRS, "ea_num_ptrs"));
        f.i32(OFF_PAD, "ea_pad");
        if (h.recLen == 0 || (h.recLen & 7) != 0) {
            throw f.corrupt("ea_rec_len", h.recLen + " is not a non-zero multiple of 8");
        }
        if (h.type > TYPE_TRUSTED) {
            throw f.corrupt("ea_type", h.type + " is not a known namespace");
        }
        return h;
    }

    public void encode(ByteBuffer buf, int off) {
        Fields.requireRoom(buf, off, SIZE, "extended attribute");
        ByteBuffer b = Fields.bigEndian(buf);
        b.putInt(off + OFF_REC_LEN, (int) recLen);
        b.putInt(off + OFF_DATA_LEN, (int) dataLen);
        b.put(off + OFF_NAME_LEN, (byte) nameLen);
        b.put(off + OFF_TYPE, (byte) type);
        b.put(off + OFF_FLAGS, (byte) flags);
        b.put(off + OFF_NUM_PTRS, (byte) numPtrs);
        b.putInt(off + OFF_PAD, 0);
    }

    public boolean isLast() {
        return (flags & FLAG_LAST) != 0;
    }

    public boolean isUnused() {
        return type == TYPE_UNUSED;
    }

    public boolean isStuffed() {
        return numPtrs == 0;
    }

    /** Bytes the record needs (spec 9.2). */
    public long usedSize() {
        return isStuffed() ? Fields.align8((int) (SIZE + nameLen + dataLen)) : SIZE + Fields.align8(nameLen) + 8L * numPtrs;
    }

    /** Offset of the value (stuffed) or the first ED pointer, relative to the record. */
    public int valueOffset() {
        return isStuffed() ? SIZE + nameLen : SIZE + Fields.align8(nameLen);
    }

    /** True when a value of {@code dataLen} bytes with an {@code nameLen}-byte name is stored inline. */
    public static boolean fitsStuffed(int nameLen, long dataLen, Geometry geo) {
        return Fields.align8((int) (SIZE + nameLen + dataLen)) <= geo.jbsize();
    }

    /** Number of ED blocks a value of {@code dataLen} bytes needs. */
    public static int edBlocksFor(long dataLen, Geometry geo) {
        return (int) ((dataLen + geo.jbsize() - 1) / geo.jbsize());
    }

    /** The Linux name prefix of an EA type ({@code user.} etc.), or null for UNUSED. */
    public static String prefix(int type) {
        switch (type) {
            case TYPE_USER: return "user.";
            case TYPE_SYSTEM: return "system.";
            case TYPE_SECURITY: return "security.";
            case TYPE_TRUSTED: return "trusted.";
            default: return null;
        }
    }
}
