package org.gfs2j.journal.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Codec of {@code gfs2_log_descriptor} (type 9, format 900): the block that announces what the
 * following log blocks are.
 *
 * <pre>
 *   0  meta header (24)
 *  24  ld_type u32    300 METADATA, 301 REVOKE, 302 JDATA
 *  28  ld_length u32  journal blocks this descriptor occupies, itself included
 *  32  ld_data1 u32   METADATA/JDATA: logged blocks; REVOKE: revoked block numbers
 *  36  ld_data2 u32   0
 *  40  reserved (32)  0
 *  72  payload        METADATA: u64 block numbers; JDATA: (u64 block, u64 escape) pairs;
 *                     REVOKE: u64 block numbers, continued in LB blocks (see {@link RevokeCodec})
 * </pre>
 */
public final class LogDescriptor {
    public static final int TYPE_METADATA = 300;
    public static final int TYPE_REVOKE = 301;
    public static final int TYPE_JDATA = 302;

    public static final int OFF_TYPE = 24;
    public static final int OFF_LENGTH = 28;
    public static final int OFF_DATA1 = 32;
    public static final int OFF_DATA2 = 36;
    public static final int OFF_RESERVED = 40;
    public static final int OFF_PAYLOAD = 72;

    private final int type;
    private final long length;
    private final long data1;
    private final long data2;

    public LogDescriptor(int type, long length, long data1, long data2) {
        this.type = type;
        this.length = length;
        this.data1 = data1;
        this.data2 = data2;
    }

    /** Block numbers one METADATA descriptor can carry: (bsize - 72) / 8. */
    public static int metadataCapacity(int bsize) {
        return (bsize - OFF_PAYLOAD) / 8;
    }

    /** (block, escape) pairs one JDATA descriptor can carry: (bsize - 72) / 16. */
    public static int jdataCapacity(int bsize) {
        return (bsize - OFF_PAYLOAD) / 16;
    }

    /**
     * Zeroes {@code block} (0 to limit) and writes the meta header and descriptor fields; the
     * caller fills the payload.
     */
    public static void encode(ByteBuffer block, int jid, int type, long length, long data1) {
        ByteBuffer buf = block.duplicate().order(ByteOrder.BIG_ENDIAN).clear();
        for (int i = 0; i < buf.limit(); i++) {
            buf.put(i, (byte) 0);
        }
        MetaHeader.encode(buf, 0, MetaType.LD, jid);
        buf.putInt(OFF_TYPE, type);
        buf.putInt(OFF_LENGTH, (int) length);
        buf.putInt(OFF_DATA1, (int) data1);
        buf.putInt(OFF_DATA2, 0);
    }

    /** Writes the i-th METADATA block number. */
    public static void putMetadataBlock(ByteBuffer block, int i, long blockNo) {
        block.putLong(OFF_PAYLOAD + 8 * i, blockNo);
    }

    public static long metadataBlock(ByteBuffer block, int i) {
        return block.getLong(OFF_PAYLOAD + 8 * i);
    }

    /** Writes the i-th JDATA pair. */
    public static void putJdataBlock(ByteBuffer block, int i, long blockNo, boolean escaped) {
        block.putLong(OFF_PAYLOAD + 16 * i, blockNo);
        block.putLong(OFF_PAYLOAD + 16 * i + 8, escaped ? 1 : 0);
    }

    public static long jdataBlock(ByteBuffer block, int i) {
        return block.getLong(OFF_PAYLOAD + 16 * i);
    }

    public static boolean jdataEscaped(ByteBuffer block, int i) {
        return block.getLong(OFF_PAYLOAD + 16 * i + 8) != 0;
    }

    /** True when the block starts with a meta header of type LD. */
    public static boolean isDescriptor(ByteBuffer block) {
        return MetaHeader.typeOf(block, 0) == MetaType.LD;
    }

    /**
     * Decodes and checks a descriptor against the journal it lives in.
     *
     * @param blockNo   absolute block number, named in errors
     * @param maxLength the most blocks a descriptor may span here (the journal size)
     */
    public static LogDescriptor decode(ByteBuffer block, long blockNo, long maxLength)
            throws CorruptMetadataException {
        ByteBuffer buf = block.duplicate().order(ByteOrder.BIG_ENDIAN);
        MetaHeader.check(buf, blockNo, MetaType.LD);
        String what = MetaType.LD.description();
        int type = buf.getInt(OFF_TYPE);
        long length = Integer.toUnsignedLong(buf.getInt(OFF_LENGTH));
        long data1 = Integer.toUnsignedLong(buf.getInt(OFF_DATA1));
        long data2 = Integer.toUnsignedLong(buf.getInt(OFF_DATA2));
        int bsize = buf.limit();
        if (length < 1 || length > maxLength) {
            throw new CorruptMetadataException(blockNo, what, "ld_length",
                    length + " outside 1.." + maxLength);
        }
        switch (type) {
            case TYPE_METADATA:
                checkLogged(blockNo, what, length, data1, metadataCapacity(bsize));
                break;
            case TYPE_JDATA:
                checkLogged(blockNo, what, length, data1, jdataCapacity(bsize));
                break;
            case TYPE_REVOKE:
                if (data1 > RevokeCodec.capacity(bsize, length)) {
                    throw new CorruptMetadataException(blockNo, what, "ld_data1",
                            data1 + " revokes do not fit in " + length + " blocks");
                }
                break;
            default:
                throw new CorruptMetadataException(blockNo, what, "ld_type",
                        type + ", expected 300, 301 or 302");
        }
        return new LogDescriptor(type, length, data1, data2);
    }

    private static void checkLogged(long blockNo, String what, long length, long data1, int capacity)
            throws CorruptMetadataException {
        if (data1 > capacity) {
            throw new CorruptMetadataException(blockNo, what, "ld_data1",
                    data1 + " exceeds the " + capacity + " entries a descriptor holds");
        }
        if (length != data1 + 1) {
            throw new CorruptMetadataException(blockNo, what, "ld_length",
                    length + ", expected ld_data1 + 1 = " + (data1 + 1));
        }
    }

    public int type() {
        return type;
    }

    /** Journal blocks occupied, this descriptor included. */
    public long length() {
        return length;
    }

    public long data1() {
        return data1;
    }

    public long data2() {
        return data2;
    }

    @Override
    public String toString() {
        return "LogDescriptor[type=" + type + " length=" + length + " data1=" + data1 + "]";
    }
}
