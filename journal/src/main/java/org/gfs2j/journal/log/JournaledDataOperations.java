package org.gfs2j.journal.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gfs2j.journal.format.LogDescriptor;
import org.gfs2j.journal.format.MetaHeader;

/**
 * JDATA descriptors (ld_type 302): data blocks of jdata files logged like metadata. A data block
 * that happens to start with the GFS2 magic is logged with those 4 bytes zeroed and its escape
 * flag set, so that it cannot be mistaken for a log header or descriptor; replay restores them.
 */
final class JournaledDataOperations implements LogOperations {
    @Override
    public int descriptorType() {
        return LogDescriptor.TYPE_JDATA;
    }

    @Override
    public void beforeCommit(FlushContents c, LogBuffer out, int jid) {
        List<Map.Entry<Long, ByteBuffer>> items = new ArrayList<>(c.jdata().entrySet());
        int cap = LogDescriptor.jdataCapacity(out.bsize());
        for (int from = 0; from < items.size(); from += cap) {
            int n = Math.min(cap, items.size() - from);
            ByteBuffer ld = out.nextBlock();
            LogDescriptor.encode(ld, jid, LogDescriptor.TYPE_JDATA, n + 1, n);
            for (int i = 0; i < n; i++) {
                Map.Entry<Long, ByteBuffer> item = items.get(from + i);
                ByteBuffer copy = out.nextBlock();
                copy.put(item.getValue().duplicate().position(0));
                boolean escaped = copy.getInt(0) == MetaHeader.MAGIC;
                if (escaped) {
                    copy.putInt(0, 0);
                }
                LogDescriptor.putJdataBlock(ld, i, item.getKey(), escaped);
            }
        }
    }

    @Override
    public void afterCommit(FlushContents c, ActiveItems ail, FlushRecord record) {
        for (Map.Entry<Long, ByteBuffer> item : c.jdata().entrySet()) {
            ail.committed(item.getKey(), item.getValue(), record);
        }
    }

    @Override
    public void replay(ReplayPass pass, LogDescriptor ld, long index, ByteBuffer ldBlock, ReplayContext ctx)
            throws IOException {
        if (pass == ReplayPass.REVOKES) {
            // validate the targets before anything is written
            for (int i = 0; i < ld.data1(); i++) {
                ctx.checkTarget(LogDescriptor.jdataBlock(ldBlock, i), index);
            }
            return;
        }
        for (int i = 0; i < ld.data1(); i++) {
            long home = LogDescriptor.jdataBlock(ldBlock, i);
            long at = index + 1 + i;
            ByteBuffer copy = ctx.readLogBlock(at);
            if (LogDescriptor.jdataEscaped(ldBlock, i)) {
                copy.putInt(0, MetaHeader.MAGIC);
            }
            ctx.replayBlock(home, at, copy);
        }
    }
}
