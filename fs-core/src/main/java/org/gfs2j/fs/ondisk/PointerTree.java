package org.gfs2j.fs.ondisk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.LongUnaryOperator;

/**
 * Shapes and writes a fully populated block-pointer tree (spec 6.2): the dinode's {@code diptrs}
 * slots are level 0, indirect blocks levels 1..h-1, the last level points at data (or JD) blocks.
 * Used for files written in one go (journals, quota-change files, rindex, directory hash tables).
 */
public final class PointerTree {
    private PointerTree() {
    }

    /** Receives a finished block. */
    @FunctionalInterface
    public interface BlockSink {
        void put(long block, ByteBuffer data) throws IOException;
    }

    /** Number of indirect blocks at each level 1..h-1 for {@code n} data blocks (index 0 unused). */
    public static long[] levelCounts(Geometry geo, int height, long n) {
        long[] counts = new long[Math.max(height, 1)];
        long below = n;
        for (int k = height - 1; k >= 1; k--) {
            counts[k] = (below + geo.inptrs() - 1) / geo.inptrs();
            below = counts[k];
        }
        if (below > geo.diptrs()) {
            throw new IllegalArgumentException(n + " blocks do not fit a tree of height " + height);
        }
        return counts;
    }

    /** Total indirect blocks a tree of {@code height} over {@code n} data blocks needs. */
    public static long indirectCount(Geometry geo, int height, long n) {
        long sum = 0;
        for (long c : levelCounts(geo, height, n)) {
            sum += c;
        }
        return sum;
    }

    /**
     * Writes the pointers: into the dinode payload of {@code dinodeBlock} (after zeroing it) and
     * into indirect blocks handed to {@code sink}.
     *
     * @param data     block number of data block i
     * @param n        number of data blocks (no holes)
     * @param inBlocks block numbers for the indirect blocks, level 1 first, then level 2, ...
     */
    public static void write(Geometry geo, ByteBuffer dinodeBlock, int height, LongUnaryOperator data, long n,
                             LongUnaryOperator inBlocks, BlockSink sink) throws IOException {
        int bsize = geo.bsize();
        Fields.zero(dinodeBlock, Dinode.PAYLOAD_OFFSET, bsize);
        long[] counts = levelCounts(geo, height, n);
        if (height == 1) {
            for (int i = 0; i < n; i++) {
                Dinode.setPointer(dinodeBlock, i, data.applyAsLong(i));
            }
            return;
        }
        long[] levelStart = new long[height];
        long idx = 0;
        for (int k = 1; k < height; k++) {
            levelStart[k] = idx;
            idx += counts[k];
        }
        for (int i = 0; i < counts[1]; i++) {
            Dinode.setPointer(dinodeBlock, i, inBlocks.applyAsLong(levelStart[1] + i));
        }
        int inptrs = geo.inptrs();
        for (int k = 1; k < height; k++) {
            boolean bottom = k == height - 1;
            long children = bottom ? n : counts[k + 1];
            for (long b = 0; b < counts[k]; b++) {
                ByteBuffer in = ByteBuffer.allocate(bsize);
                org.gfs2j.journal.format.MetaHeader.encode(in, org.gfs2j.journal.format.MetaType.IN);
                for (int s = 0; s < inptrs; s++) {
                    long child = b * inptrs + s;
                    if (child >= children) {
                        break;
                    }
                    long target = bottom ? data.applyAsLong(child) : inBlocks.applyAsLong(levelStart[k + 1] + child);
                    IndirectBlock.setPointer(in, s, target);
                }
                sink.put(inBlocks.applyAsLong(levelStart[k] + b), in);
            }
        }
    }
}
