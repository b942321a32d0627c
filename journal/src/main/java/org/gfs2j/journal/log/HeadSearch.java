package org.gfs2j.journal.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.LogHeader;

/**
 * Finds the head of a journal: the valid log header with the highest sequence number. Sequence
 * numbers increase around the ring, so valid headers read in block order rise to the head and
 * then drop once (or never); the scan reads the whole journal in block order, as the current
 * kernel does, and takes the last header before the first drop. Torn or half-written header
 * blocks fail their checksums and are skipped.
 */
public final class HeadSearch {
    private static final int CHUNK = 256;

    private HeadSearch() {
    }

    /**
     * @throws CorruptMetadataException when the journal holds no valid header, two headers with
     *         the same sequence number, or more than one drop of the sequence
     */
    public static JournalHead find(JournalIo io) throws IOException {
        long size = io.size();
        int bsize = io.bsize();
        LogHeader best = null;
        long bestIndex = -1;
        LogHeader previous = null;
        int headers = 0;
        int descents = 0;
        for (long start = 0; start < size; start += CHUNK) {
            int n = (int) Math.min(CHUNK, size - start);
            ByteBuffer chunk = io.readBlocks(start, n);
            for (int i = 0; i < n; i++) {
                long index = start + i;
                LogHeader h = LogHeader.tryDecode(chunk.slice(i * bsize, bsize));
                if (h == null || h.blkno() != index) {
                    continue;
                }
                headers++;
                if (previous != null) {
                    int cmp = Long.compareUnsigned(h.sequence(), previous.sequence());
                    if (cmp == 0) {
                        throw new CorruptMetadataException(io.deviceBlock(index), "journal", "lh_sequence",
                                "journal blocks " + previous.blkno() + " and " + index
                                        + " hold the same sequence number " + h.sequence());
                    }
                    if (cmp < 0) {
                        descents++;
                    }
                }
                if (descents == 0) {
                    best = h;
                    bestIndex = index;
                }
                previous = h;
            }
        }
        if (best == null) {
            throw new CorruptMetadataException(io.deviceBlock(0), "journal", "log header",
                    "no valid log header in " + size + " journal blocks");
        }
        if (descents > 1) {
            throw new CorruptMetadataException(io.deviceBlock(bestIndex), "journal", "lh_sequence",
                    "sequence numbers drop " + descents + " times around the ring (at most once is valid)");
        }
        if (descents == 1 && Long.compareUnsigned(previous.sequence(), best.sequence()) > 0) {
            // after the drop the sequence must stay below the head until the end of the ring
            throw new CorruptMetadataException(io.deviceBlock(previous.blkno()), "journal", "lh_sequence",
                    "header at journal block " + previous.blkno() + " is newer than the head at " + bestIndex);
        }
        return new JournalHead(best, bestIndex, headers, descents);
    }
}
