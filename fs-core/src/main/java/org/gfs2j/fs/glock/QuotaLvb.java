package org.gfs2j.fs.glock;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The quota glock's value block (spec 4.8), 32 bytes, big-endian, values in blocks:
 * <pre>
 *  0  magic 0x01161970 when valid
 *  4  padding
 *  8  hard limit (8)
 * 16  warn limit (8)
 * 24  current value (8)
 * </pre>
 * Without the magic the record must be read from the quota file and the value republished.
 */
public record QuotaLvb(long hardLimit, long warnLimit, long value) {
    public static final int MAGIC = RgrpLvb.MAGIC;
    public static final int LENGTH = 32;
    static final int OFF_MAGIC = 0, OFF_PAD = 4, OFF_LIMIT = 8, OFF_WARN = 16, OFF_VALUE = 24;

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.putInt(OFF_MAGIC, MAGIC);
        b.putInt(OFF_PAD, 0);
        b.putLong(OFF_LIMIT, hardLimit);
        b.putLong(OFF_WARN, warnLimit);
        b.putLong(OFF_VALUE, value);
        return b.array();
    }

    public static Optional<QuotaLvb> decode(byte[] lvb) {
        if (lvb == null || lvb.length < LENGTH) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(lvb);
        if (b.getInt(OFF_MAGIC) != MAGIC) {
            return Optional.empty();
        }
        return Optional.of(new QuotaLvb(b.getLong(OFF_LIMIT), b.getLong(OFF_WARN), b.getLong(OFF_VALUE)));
    }
}
