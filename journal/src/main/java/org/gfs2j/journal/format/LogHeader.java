package org.gfs2j.journal.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Codec of {@code gfs2_log_header} (type 8, format 800), the commit record of the log.
 *
 * <pre>
 *   0  meta header (24)            24 lh_sequence u64     32 lh_flags u32
 *  36  lh_tail u32                 40 lh_blkno u32        44 lh_hash u32 (CRC-32 of 0..47)
 *  48  lh_crc u32 (CRC-32C raw of 52..bsize-1, 0 = v1)    52 lh_nsec u32
 *  56  lh_sec u64                  64 lh_addr u64         72 lh_jinode u64
 *  80  lh_statfs_addr u64          88 lh_quota_addr u64
 *  96  lh_local_total s64         104 lh_local_free s64  112 lh_local_dinodes s64
 * 120  zero to the end of the block (covered by lh_crc)
 * </pre>
 *
 * A header is valid when magic and type match, {@code lh_hash} matches and {@code lh_crc} is 0 or
 * matches. Immutable; build with {@link #builder()}.
 */
public final class LogHeader {
    public static final int OFF_SEQUENCE = 24;
    public static final int OFF_FLAGS = 32;
    public static final int OFF_TAIL = 36;
    public static final int OFF_BLKNO = 40;
    public static final int OFF_HASH = 44;
    public static final int OFF_CRC = 48;
    public static final int OFF_NSEC = 52;
    public static final int OFF_SEC = 56;
    public static final int OFF_ADDR = 64;
    public static final int OFF_JINODE = 72;
    public static final int OFF_STATFS_ADDR = 80;
    public static final int OFF_QUOTA_ADDR = 88;
    public static final int OFF_LOCAL_TOTAL = 96;
    public static final int OFF_LOCAL_FREE = 104;
    public static final int OFF_LOCAL_DINODES = 112;
    public static final int SIZE = 120;
    /** lh_hash covers the bytes before it, the v1 header proper. */
    public static final int HASH_LENGTH = 48;
    /** lh_crc covers from lh_nsec to the end of the block. */
    public static final int CRC_START = 52;

    public static final int FLAG_UNMOUNT = 0x00000001;
    public static final int FLAG_FLUSH_NORMAL = 0x00000002;
    public static final int FLAG_FLUSH_SYNC = 0x00000004;
    public static final int FLAG_FLUSH_SHUTDOWN = 0x00000008;
    public static final int FLAG_FLUSH_FREEZE = 0x00000010;
    public static final int FLAG_RECOVERY = 0x00000020;
    public static final int FLAG_USERSPACE = 0x80000000;
    public static final int LFC_SHUTDOWN = 0x00000100;
    public static final int LFC_AIL_FLUSH = 0x00001000;
    public static final int LFC_INODE_GO_SYNC = 0x00004000;
    public static final int LFC_DO_SYNC = 0x00040000;
    public static final int LFC_INPLACE_RESERVE = 0x00080000;
    public static final int LFC_TRANS_END = 0x01000000;
    public static final int LFC_LOGD_JFLUSH_REQD = 0x02000000;

    private final int jid;
    private final long sequence;
    private final int flags;
    private final int tail;
    private final int blkno;
    private final int hash;
    private final int crc;
    private final int nsec;
    private final long sec;
    private final long addr;
    private final long jinode;
    private final long statfsAddr;
    private final long quotaAddr;
    private final long localTotal;
    private final long localFree;
    private final long localDinodes;

    private LogHeader(Builder b, int hash, int crc) {
        this.jid = b.jid;
        this.sequence = b.sequence;
        this.flags = b.flags;
        this.tail = b.tail;
        this.blkno = b.blkno;
        this.hash = hash;
        this.crc = crc;
        this.nsec = b.nsec;
        this.sec = b.sec;
        this.addr = b.addr;
        this.jinode = b.jinode;
        this.statfsAddr = b.statfsAddr;
        this.quotaAddr = b.quotaAddr;
        this.localTotal = b.localTotal;
        this.localFree = b.localFree;
        this.localDinodes = b.localDinodes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this header's fields (checksums are recomputed when encoding). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.jid = jid;
        b.sequence = sequence;
        b.flags = flags;
        b.tail = tail;
        b.blkno = blkno;
        b.nsec = nsec;
        b.sec = sec;
        b.addr = addr;
        b.jinode = jinode;
        b.statfsAddr = statfsAddr;
        b.quotaAddr = quotaAddr;
        b.localTotal = localTotal;
        b.localFree = localFree;
        b.localDinodes = localDinodes;
        return b;
    }

    /**
     * Writes a complete header block: zeroes the whole buffer (position 0 to limit = bsize), fills
     * the fields, then {@code lh_hash} and, when {@code v2}, {@code lh_crc}.
     */
    public static void encode(ByteBuffer block, Builder b, boolean v2) {
        ByteBuffer buf = block.duplicate().order(ByteOrder.BIG_ENDIAN).clear();
        int bsize = block.limit();
        if (bsize < SIZE) {
            throw new IllegalArgumentException("block of " + bsize + " bytes cannot hold a log header");
        }
        for (int i = 0; i < bsize; i++) {
            buf.put(i, (byte) 0);
        }
        MetaHeader.encode(buf, 0, MetaType.LH, b.jid);
        buf.putLong(OFF_SEQUENCE, b.sequence);
        buf.putInt(OFF_FLAGS, b.flags);
        buf.putInt(OFF_TAIL, b.tail);
        buf.putInt(OFF_BLKNO, b.blkno);
        buf.putInt(OFF_NSEC, b.nsec);
        buf.putLong(OFF_SEC, b.sec);
        buf.putLong(OFF_ADDR, b.addr);
        buf.putLong(OFF_JINODE, b.jinode);
        buf.putLong(OFF_STATFS_ADDR, b.statfsAddr);
        buf.putLong(OFF_QUOTA_ADDR, b.quotaAddr);
        buf.putLong(OFF_LOCAL_TOTAL, b.localTotal);
        buf.putLong(OFF_LOCAL_FREE, b.localFree);
        buf.putLong(OFF_LOCAL_DINODES, b.localDinodes);
        buf.putInt(OFF_HASH, Checksums.gfs2Hash(buf, 0, HASH_LENGTH));
        if (v2) {
            buf.putInt(OFF_CRC, Checksums.crc32cRaw(buf, CRC_START, bsize - CRC_START));
        }
    }

    /**
     * Decodes a log header and checks both checksums.
     *
     * @param blockNo absolute block number, named in errors
     * @throws CorruptMetadataException when the block is not a valid log header
     */
    public static LogHeader decode(ByteBuffer block, long blockNo) throws CorruptMetadataException {
        String why = invalidReason(block);
        if (why != null) {
            throw new CorruptMetadataException(blockNo, MetaType.LH.description(),
                    why.substring(0, why.indexOf(':')), why.substring(why.indexOf(':') + 2));
        }
        return read(block);
    }

    /** The header in this block, or null when the block does not hold a valid log header. */
    public static LogHeader tryDecode(ByteBuffer block) {
        return invalidReason(block) == null ? read(block) : null;
    }

    /** "field: detail" saying why the block is not a valid log header, or null when it is one. */
    public static String invalidReason(ByteBuffer block) {
        ByteBuffer buf = block.duplicate().order(ByteOrder.BIG_ENDIAN).position(0);
        int bsize = buf.limit();
        if (bsize < SIZE) {
            return "mh_magic: block is " + bsize + " bytes";
        }
        if (buf.getInt(MetaHeader.OFF_MAGIC) != MetaHeader.MAGIC) {
            return String.format("mh_magic: 0x%08x", buf.getInt(MetaHeader.OFF_MAGIC));
        }
        if (buf.getInt(MetaHeader.OFF_TYPE) != MetaType.LH.type()) {
            return "mh_type: " + buf.getInt(MetaHeader.OFF_TYPE) + ", expected " + MetaType.LH.type();
        }
        int stored = buf.getInt(OFF_HASH);
        int computed = hashOf(buf);
        if (stored != computed) {
            return String.format("lh_hash: stored 0x%08x, computed 0x%08x", stored, computed);
        }
        int crc = buf.getInt(OFF_CRC);
        if (crc != 0) {
            int crcComputed = Checksums.crc32cRaw(buf, CRC_START, bsize - CRC_START);
            if (crc != crcComputed) {
                return String.format("lh_crc: stored 0x%08x, computed 0x%08x", crc, crcComputed);
            }
        }
        return null;
    }

    private static int hashOf(ByteBuffer buf) {
        byte[] head = new byte[HASH_LENGTH];
        buf.duplicate().position(0).get(head);
        head[OFF_HASH] = head[OFF_HASH + 1] = head[OFF_HASH + 2] = head[OFF_HASH + 3] = 0;
        return Checksums.gfs2Hash(head);
    }

    private static LogHeader read(ByteBuffer block) {
        ByteBuffer buf = block.duplicate().order(ByteOrder.BIG_ENDIAN);
        Builder b = new Builder();
        b.jid = buf.getInt(MetaHeader.OFF_JID);
        b.sequence = buf.getLong(OFF_SEQUENCE);
        b.flags = buf.getInt(OFF_FLAGS);
        b.tail = buf.getInt(OFF_TAIL);
        b.blkno = buf.getInt(OFF_BLKNO);
        b.nsec = buf.getInt(OFF_NSEC);
        b.sec = buf.getLong(OFF_SEC);
        b.addr = buf.getLong(OFF_ADDR);
        b.jinode = buf.getLong(OFF_JINODE);
        b.statfsAddr = buf.getLong(OFF_STATFS_ADDR);
        b.quotaAddr = buf.getLong(OFF_QUOTA_ADDR);
        b.localTotal = buf.getLong(OFF_LOCAL_TOTAL);
        b.localFree = buf.getLong(OFF_LOCAL_FREE);
        b.localDinodes = buf.getLong(OFF_LOCAL_DINODES);
        return new LogHeader(b, buf.getInt(OFF_HASH), buf.getInt(OFF_CRC));
    }

    public int jid() {
        return jid;
    }

    public long sequence() {
        return sequence;
    }

    public int flags() {
        return flags;
    }

    public boolean isUnmount() {
        return (flags & FLAG_UNMOUNT) != 0;
    }

    /** Journal block index of the log tail, as an unsigned value. */
    public long tail() {
        return Integer.toUnsignedLong(tail);
    }

    /** Journal block index of this header, as an unsigned value. */
    public long blkno() {
        return Integer.toUnsignedLong(blkno);
    }

    public int hash() {
        return hash;
    }

    public int crc() {
        return crc;
    }

    public boolean isV2() {
        return crc != 0;
    }

    public int nsec() {
        return nsec;
    }

    public long sec() {
        return sec;
    }

    public long addr() {
        return addr;
    }

    public long jinode() {
        return jinode;
    }

    public long statfsAddr() {
        return statfsAddr;
    }

    public long quotaAddr() {
        return quotaAddr;
    }

    public long localTotal() {
        return localTotal;
    }

    public long localFree() {
        return localFree;
    }

    public long localDinodes() {
        return localDinodes;
    }

    @Override
    public String toString() {
        return String.format("LogHeader[seq=%d flags=0x%08x tail=%d blkno=%d addr=%d jinode=%d v%d]",
                sequence, flags, tail(), blkno(), addr, jinode, isV2() ? 2 : 1);
    }

    /** Mutable field holder for {@link #encode}. */
    public static final class Builder {
        private int jid;
        private long sequence;
        private int flags;
        private int tail;
        private int blkno;
        private int nsec;
        private long sec;
        private long addr;
        private long jinode;
        private long statfsAddr;
        private long quotaAddr;
        private long localTotal;
        private long localFree;
        private long localDinodes;

        private Builder() {
        }

        public Builder jid(int v) {
            jid = v;
            return this;
        }

        public Builder sequence(long v) {
            sequence = v;
            return this;
        }

        public Builder flags(int v) {
            flags = v;
            return this;
        }

        public Builder tail(long v) {
            tail = (int) v;
            return this;
        }

        public Builder blkno(long v) {
            blkno = (int) v;
            return this;
        }

        public Builder time(long seconds, int nanos) {
            sec = seconds;
            nsec = nanos;
            return this;
        }

        public Builder addr(long v) {
            addr = v;
            return this;
        }

        public Builder jinode(long v) {
            jinode = v;
            return this;
        }

        public Builder statfsAddr(long v) {
            statfsAddr = v;
            return this;
        }

        public Builder quotaAddr(long v) {
            quotaAddr = v;
            return this;
        }

        public Builder localStatfs(long total, long free, long dinodes) {
            localTotal = total;
            localFree = free;
            localDinodes = dinodes;
            return this;
        }

        /** Encodes into a new big-endian buffer of {@code bsize} bytes. */
        public ByteBuffer encode(int bsize, boolean v2) {
            ByteBuffer block = ByteBuffer.allocate(bsize).order(ByteOrder.BIG_ENDIAN);
            LogHeader.encode(block, this, v2);
            return block;
        }

        /** The header these fields encode to (checksums as {@code encode(bsize, v2)} computes them). */
        public LogHeader build(int bsize, boolean v2) {
            return read(encode(bsize, v2));
        }
    }
}
