package org.gfs2j.journal.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.gfs2j.journal.format.LogHeader;

/**
 * Fills a journal the way mkfs.gfs2 does: every block a valid UNMOUNT|USERSPACE log header with
 * {@code lh_blkno} its index, sequence numbers a rotation of 0..J-1 starting at
 * {@code startSequence} at index 0 (so the head, holding J-1, is at index J-1-startSequence),
 * {@code lh_tail} 0 and both checksums set (spec section 10.6). For mkfs and for tests.
 */
public final class JournalFormatter {
    private static final int CHUNK = 256;

    private JournalFormatter() {
    }

    public static void format(JournalIo io, long jinodeAddr, long startSequence) throws IOException {
        long size = io.size();
        if (startSequence < 0 || startSequence >= size) {
            throw new IllegalArgumentException("start sequence " + startSequence + " outside 0.." + (size - 1));
        }
        int bsize = io.bsize();
        for (long start = 0; start < size; start += CHUNK) {
            int n = (int) Math.min(CHUNK, size - start);
            ByteBuffer chunk = ByteBuffer.allocate(n * bsize);
            for (int i = 0; i < n; i++) {
                long index = start + i;
                LogHeader.encode(chunk.slice(i * bsize, bsize), LogHeader.builder()
                        .sequence((startSequence + index) % size)
                        .flags(LogHeader.FLAG_UNMOUNT | LogHeader.FLAG_USERSPACE)
                        .blkno(index)
                        .addr(io.deviceBlock(index))
                        .jinode(jinodeAddr), true);
            }
            io.writeBlocks(start, chunk);
        }
        io.flush();
    }
}
