package org.gfs2j.fs.vfs;

import java.io.IOException;
import org.gfs2j.fs.meta.FileMap;
import org.gfs2j.fs.meta.FileReader;

/**
 * lseek(2)'s SEEK_DATA and SEEK_HOLE over a file's block map. GFS2 has no unwritten extents, so
 * every mapped block is data (preallocated blocks too, which read as zeros) and every unmapped
 * block is a hole; the end of the file is a hole. A stuffed file is all data. The answers are
 * block-granular, as the kernel's iomap-based seek is for GFS2.
 */
public final class DataSeek {
    public static final int SEEK_DATA = 3;
    public static final int SEEK_HOLE = 4;
    public static final int ENXIO = 6;

    private DataSeek() {
    }

    /** Where the next data ({@link #SEEK_DATA}) or hole ({@link #SEEK_HOLE}) at or after {@code offset} starts. */
    public static long seek(FileReader file, long offset, int whence) throws IOException {
        if (whence != SEEK_DATA && whence != SEEK_HOLE) {
            throw new FsException(FsException.EINVAL, "lseek whence " + whence + " is not SEEK_DATA or SEEK_HOLE");
        }
        long size = file.size();
        if (offset < 0 || offset >= size) {
            throw new FsException(ENXIO, "offset " + offset + " is at or beyond the end of the file (" + size + ")");
        }
        FileMap map = file.map();
        if (map.isStuffed()) {
            return whence == SEEK_DATA ? offset : size;
        }
        long unit = map.unitSize();
        long[] found = {-1};
        long[] pos = {offset};
        try {
            map.forEachExtent(offset / unit, map.logicalBlocks(), e -> {
                long start = e.logical() * unit;
                long end = e.logicalEnd() * unit;
                if (whence == SEEK_DATA) {
                    found[0] = Math.max(offset, start);
                    throw Stop.INSTANCE;
                }
                if (start > pos[0]) { // a hole before this extent
                    found[0] = pos[0];
                    throw Stop.INSTANCE;
                }
                pos[0] = Math.max(pos[0], end);
            });
        } catch (Stop stop) {
            // found
        }
        if (whence == SEEK_DATA) {
            if (found[0] < 0 || found[0] >= size) {
                throw new FsException(ENXIO, "no data at or after offset " + offset);
            }
            return found[0];
        }
        return Math.min(found[0] >= 0 ? found[0] : pos[0], size);
    }

    /** Ends an extent walk early (no stack trace: it is control flow). */
    private static final class Stop extends RuntimeException {
        static final Stop INSTANCE = new Stop();

        private Stop() {
            super("stop", null, false, false);
        }
    }
}
