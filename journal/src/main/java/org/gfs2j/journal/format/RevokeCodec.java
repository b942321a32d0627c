package org.gfs2j.journal.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The revoke list of the log: a REVOKE descriptor whose payload (from byte 72) holds revoked block
 * numbers, continued in LB blocks (type 12, format 1000) whose u64 entries start at byte 24.
 *
 * <pre>
 *  LD: [meta header 24][ld_type=301 ld_length=n ld_data1=count ...][u64 x (bsize-72)/8]
 *  LB: [meta header 24][u64 x (bsize-24)/8]          (n-1 of these)
 * </pre>
 * Unused slots are zero.
 */
public final class RevokeCodec {
    public static final int OFF_LB_PAYLOAD = MetaHeader.SIZE;

    private RevokeCodec() {
    }

    public static int firstBlockCapacity(int bsize) {
        return (bsize - LogDescriptor.OFF_PAYLOAD) / 8;
    }

    public static int logBlockCapacity(int bsize) {
        return (bsize - OFF_LB_PAYLOAD) / 8;
    }

    /** Revokes a descriptor spanning {@code blocks} journal blocks can hold. */
    public static long capacity(int bsize, long blocks) {
        return firstBlockCapacity(bsize) + (blocks - 1) * logBlockCapacity(bsize);
    }

    /** Journal blocks (descriptor + LBs) needed for {@code count} revokes; 0 for none. */
    public static int blocksFor(int bsize, long count) {
        if (count == 0) {
            return 0;
        }
        long rest = Math.max(0, count - firstBlockCapacity(bsize));
        return (int) (1 + (rest + logBlockCapacity(bsize) - 1) / logBlockCapacity(bsize));
    }

    /** Encodes the revoke list as one descriptor followed by LB blocks. */
    public static List<ByteBuffer> encode(int bsize, int jid, long[] revoked) {
        int n = blocksFor(bsize, revoked.length);
        List<ByteBuffer> out = new ArrayList<>(n);
        int next = 0;
        for (int b = 0; b < n; b++) {
            ByteBuffer block = ByteBuffer.allocate(bsize).order(ByteOrder.BIG_ENDIAN);
            int off;
            int cap;
            if (b == 0) {
                LogDescriptor.encode(block, jid, LogDescriptor.TYPE_REVOKE, n, revoked.length);
                off = LogDescriptor.OFF_PAYLOAD;
                cap = firstBlockCapacity(bsize);
            } else {
                MetaHeader.encode(block, 0, MetaType.LB, jid);
                off = OFF_LB_PAYLOAD;
                cap = logBlockCapacity(bsize);
            }
            for (int i = 0; i < cap && next < revoked.length; i++) {
                block.putLong(off + 8 * i, revoked[next++]);
            }
            out.add(block);
        }
        return out;
    }

    /**
     * Reads the entries one block of a revoke list holds.
     *
     * @param first     true for the descriptor block, false for an LB block
     * @param remaining entries of the list not yet read
     * @param blockNo   absolute block number, named in errors
     * @return the entries in this block (at most {@code remaining})
     */
    public static long[] entries(ByteBuffer block, boolean first, long remaining, long blockNo)
            throws CorruptMetadataException {
        ByteBuffer buf = block.duplicate().order(ByteOrder.BIG_ENDIAN);
        int bsize = buf.limit();
        int off;
        int cap;
        if (first) {
            off = LogDescriptor.OFF_PAYLOAD;
            cap = firstBlockCapacity(bsize);
        } else {
            MetaHeader.check(buf, blockNo, MetaType.LB);
            off = OFF_LB_PAYLOAD;
            cap = logBlockCapacity(bsize);
        }
        int n = (int) Math.min(cap, remaining);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = buf.getLong(off + 8 * i);
        }
        return out;
    }
}
