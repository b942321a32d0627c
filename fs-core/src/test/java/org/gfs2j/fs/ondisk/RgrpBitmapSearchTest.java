package org.gfs2j.fs.ondisk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link RgrpBitmap#nextFree} against an entry-by-entry search, across header and bitmap blocks. */
class RgrpBitmapSearchTest {
    private static long naive(RgrpBitmap bm, long from, long end) {
        for (long i = Math.max(0, from); i < Math.min(end, bm.size()); i++) {
            if (bm.get(i) == RgrpBitmap.FREE) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void findsTheSameEntryAsAnEntryByEntrySearch() {
        Geometry g = Geometry.of(512);
        long data = 4 * (g.rgBitmapBytes() + 2 * g.rbBitmapBytes() + 20) + 3; // not a multiple of 4
        int len = g.rgrpHeaderBlocks((data + 3) / 4);
        Random rnd = new Random(20261125);
        for (int round = 0; round < 40; round++) {
            ByteBuffer b = ByteBuffer.allocate(len * 512);
            RgrpBitmap.stampBitmapBlocks(b, g, len);
            RgrpBitmap bm = new RgrpBitmap(b, g, data);
            // mostly used, with free entries sparse or clustered, so whole bytes get skipped
            double freeShare = round % 4 == 0 ? 0 : round % 4 == 1 ? 0.002 : round % 4 == 2 ? 0.05 : 0.5;
            for (long i = 0; i < data; i++) {
                bm.set(i, rnd.nextDouble() < freeShare ? RgrpBitmap.FREE : 1 + rnd.nextInt(3));
            }
            for (int q = 0; q < 200; q++) {
                long from = rnd.nextInt((int) data + 8) - 4;
                long end = from + rnd.nextInt((int) data + 8);
                assertEquals(naive(bm, from, end), bm.nextFree(from, end), "round " + round + " [" + from + ", " + end + ")");
            }
            assertEquals(naive(bm, 0, data), bm.nextFree(0, data));
            assertEquals(-1, bm.nextFree(data, data + 10));
        }
    }
}
