package org.gfs2j.journal.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.gfs2j.journal.format.LogDescriptor;

/**
 * One kind of log element (metadata blocks, journaled data blocks, revokes) with everything the
 * log does with it: what it adds to a flush before the commit header, what happens once the
 * header is durable, and how replay reads it back. Commit and replay share these objects so the
 * writer and the reader of each descriptor type live side by side.
 */
interface LogOperations {
    /** Flush order, as the kernel writes it: journaled data, metadata, revokes, then the header. */
    List<LogOperations> ALL = List.of(new JournaledDataOperations(), new MetadataOperations(), new RevokeOperations());

    /** The {@code ld_type} this element's descriptors carry. */
    int descriptorType();

    /** Appends this element's descriptors and blocks for {@code c} to the flush body. */
    void beforeCommit(FlushContents c, LogBuffer out, int jid);

    /** The flush's header is durable: hand logged blocks to write-back, release revoked ones. */
    void afterCommit(FlushContents c, ActiveItems ail, FlushRecord record);

    /**
     * Replay of one descriptor of this type found at journal index {@code index}.
     *
     * @param ldBlock the descriptor block
     */
    void replay(ReplayPass pass, LogDescriptor ld, long index, ByteBuffer ldBlock, ReplayContext ctx)
            throws IOException;

    static LogOperations forDescriptorType(int type) {
        for (LogOperations op : ALL) {
            if (op.descriptorType() == type) {
                return op;
            }
        }
        return null;
    }
}
