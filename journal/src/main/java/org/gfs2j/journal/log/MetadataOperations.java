package org.gfs2j.journal.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.LogDescriptor;
import org.gfs2j.journal.format.MetaHeader;

/** METADATA descriptors (ld_type 300): block numbers, then the logged metadata block copies. */
final class MetadataOperations implements LogOperations {
    @Override
    public int descriptorType() {
        return LogDescriptor.TYPE_METADATA;
    }

    @Override
    public void beforeCommit(FlushContents c, LogBuffer out, int jid) {
        List<Map.Entry<Long, ByteBuffer>> items = new ArrayList<>(c.metadata().entrySet());
        int cap = LogDescriptor.metadataCapacity(out.bsize());
        for (int from = 0; from < items.size(); from += cap) {
            int n = Math.min(cap, items.size() - from);
            ByteBuffer ld = out.nextBlock();
            LogDescriptor.encode(ld, jid, LogDescriptor.TYPE_METADATA, n + 1, n);
            for (int i = 0; i < n; i++) {
                Map.Entry<Long, ByteBuffer> item = items.get(from + i);
                LogDescriptor.putMetadataBlock(ld, i, item.getKey());
                ByteBuffer copy = out.nextBlock();
                copy.put(item.getValue().duplicate().position(0));
            }
        }
    }

    @Override
    public void afterCommit(FlushContents c, ActiveItems ail, FlushRecord record) {
        for (Map.Entry<Long, ByteBuffer> item : c.metadata().entrySet()) {
            ail.committed(item.getKey(), item.getValue(), record);
        }
    }

    @Override
    public void replay(ReplayPass pass, LogDescriptor ld, long index, ByteBuffer ldBlock, ReplayContext ctx)
            throws IOException {
        if (pass == ReplayPass.REVOKES) {
            // validate the targets before anything is written
            for (int i = 0; i < ld.data1(); i++) {
                ctx.checkTarget(LogDescriptor.metadataBlock(ldBlock, i), index);
            }
            return;
        }
        for (int i = 0; i < ld.data1(); i++) {
            long home = LogDescriptor.metadataBlock(ldBlock, i);
            long at = index + 1 + i;
            ByteBuffer copy = ctx.readLogBlock(at);
            if (!MetaHeader.hasMagic(copy, 0)) {
                throw new CorruptMetadataException(ctx.deviceBlock(at), "logged metadata block", "mh_magic",
                        "copy of block " + home + " at journal block " + ctx.ring(at) + " is not metadata");
            }
            ctx.replayBlock(home, at, copy);
        }
    }
}
