package org.gfs2j.fuse.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code fuse_in_header} (40 bytes, little-endian).
 * <pre>
 *  0 len u32 | 4 opcode u32 | 8 unique u64 | 16 nodeid u64 | 24 uid u32 | 28 gid u32 | 32 pid u32
 * 36 total_extlen u16 (8-byte units) | 38 padding u16
 * </pre>
 */
public record InHeader(int len, int opcode, long unique, long nodeid, int uid, int gid, int pid,
                       int totalExtlen) {
    public static final int SIZE = 40;
    static final int OFF_LEN = 0;
    static final int OFF_OPCODE = 4;
    static final int OFF_UNIQUE = 8;
    static final int OFF_NODEID = 16;
    static final int OFF_UID = 24;
    static final int OFF_GID = 28;
    static final int OFF_PID = 32;
    static final int OFF_TOTAL_EXTLEN = 36;

    /** Reads a header at absolute position 0 of {@code buf} (which must hold at least 40 bytes). */
    public static InHeader decode(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return new InHeader(b.getInt(OFF_LEN), b.getInt(OFF_OPCODE), b.getLong(OFF_UNIQUE),
                b.getLong(OFF_NODEID), b.getInt(OFF_UID), b.getInt(OFF_GID), b.getInt(OFF_PID),
                Short.toUnsignedInt(b.getShort(OFF_TOTAL_EXTLEN)));
    }

    /** Writes this header into {@code buf} at absolute position 0 (used by tests and fuzzers). */
    public void encode(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(OFF_LEN, len).putInt(OFF_OPCODE, opcode).putLong(OFF_UNIQUE, unique)
                .putLong(OFF_NODEID, nodeid).putInt(OFF_UID, uid).putInt(OFF_GID, gid)
                .putInt(OFF_PID, pid).putShort(OFF_TOTAL_EXTLEN, (short) totalExtlen)
                .putShort(38, (short) 0);
    }
}
