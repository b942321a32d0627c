package org.gfs2j.fs.meta;

import java.util.List;
import org.gfs2j.journal.format.LogHeader;

/**
 * One journal as found through jindex: its number, dinode, size in blocks and the contiguous
 * device runs holding journal blocks 0..blocks-1 in order (what replay is fed).
 */
public record Journal(int id, Inode inode, long blocks, List<Extent> extents) {
    public String name() {
        return "journal" + id;
    }

    /** Device block of journal block {@code index}. */
    public long deviceBlock(long index) {
        for (Extent e : extents) {
            if (index >= e.logical() && index < e.logicalEnd()) {
                return e.device() + (index - e.logical());
            }
        }
        throw new IndexOutOfBoundsException("journal block " + index + " of " + blocks);
    }

    /**
     * Result of a head search: the head header (null when no valid header was found), its journal
     * block index, and how many valid headers were read up to the head
     * (the search stops at the first sequence number lower than the head's).
     */
    public record Head(LogHeader header, long index, long validHeaders) {
        public boolean found() {
            return header != null;
        }

        public boolean isClean() {
            return header != null && header.isUnmount();
        }
    }
}
