package org.gfs2j.journal.log;

import java.util.HashSet;
import java.util.Set;

/**
 * One flush that is still in the live part of the log: where its blocks start and how many of
 * its logged blocks are not yet written in place (or superseded). The tail is the start of the
 * oldest record whose count is not zero.
 */
final class FlushRecord {
    final long sequence;
    final long start;
    final long headerIndex;
    final Set<Long> logged = new HashSet<>();
    int live;

    FlushRecord(long sequence, long start, long headerIndex) {
        this.sequence = sequence;
        this.start = start;
        this.headerIndex = headerIndex;
    }

    @Override
    public String toString() {
        return "FlushRecord[seq=" + sequence + " start=" + start + " header=" + headerIndex + " live=" + live + "]";
    }
}
