package org.gfs2j.fs.alloc;

/** {@code length} consecutive device blocks from {@code start}. */
public record BlockRun(long start, long length) {
    public BlockRun {
        if (length < 1) {
            throw new IllegalArgumentException("empty block run at " + start);
        }
    }

    public long end() {
        return start + length;
    }
}
