package org.gfs2j.journal.log;

import org.gfs2j.journal.format.LogHeader;

/**
 * The newest valid log header of a journal and where it is.
 *
 * @param header   the header with the highest sequence number
 * @param index    its journal block index (equals {@code header.blkno()})
 * @param headers  valid headers seen by the scan
 * @param descents sequence drops seen in block order (0 or 1 for a well-formed log)
 */
public record JournalHead(LogHeader header, long index, int headers, int descents) {
    public boolean isClean() {
        return header.isUnmount();
    }

    public long sequence() {
        return header.sequence();
    }
}
