package org.gfs2j.journal.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.gfs2j.journal.format.LogDescriptor;
import org.gfs2j.journal.format.RevokeCodec;

/**
 * REVOKE descriptors (ld_type 301) and their LB continuation blocks: block numbers whose earlier
 * logged copies must not be replayed, because the block was freed (or written in place and its
 * lock given to another node) after they were logged.
 */
final class RevokeOperations implements LogOperations {
    @Override
    public int descriptorType() {
        return LogDescriptor.TYPE_REVOKE;
    }

    @Override
    public void beforeCommit(FlushContents c, LogBuffer out, int jid) {
        if (c.revokes().isEmpty()) {
            return;
        }
        long[] revoked = c.revokes().stream().mapToLong(Long::longValue).toArray();
        List<ByteBuffer> blocks = RevokeCodec.encode(out.bsize(), jid, revoked);
        for (ByteBuffer b : blocks) {
            out.nextBlock().put(b.duplicate().position(0));
        }
    }

    @Override
    public void afterCommit(FlushContents c, ActiveItems ail, FlushRecord record) {
        for (long block : c.revokes()) {
            ail.revokeCommitted(block);
        }
    }

    @Override
    public void replay(ReplayPass pass, LogDescriptor ld, long index, ByteBuffer ldBlock, ReplayContext ctx)
            throws IOException {
        if (pass != ReplayPass.REVOKES) {
            return;
        }
        long remaining = ld.data1();
        for (long b = 0; b < ld.length() && remaining > 0; b++) {
            ByteBuffer block = b == 0 ? ldBlock : ctx.readLogBlock(index + b);
            long[] entries = RevokeCodec.entries(block, b == 0, remaining, ctx.deviceBlock(index + b));
            for (long revoked : entries) {
                ctx.recordRevoke(revoked, index + b);
            }
            remaining -= entries.length;
        }
    }
}
