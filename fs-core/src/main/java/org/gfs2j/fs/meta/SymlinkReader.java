package org.gfs2j.fs.meta;

import java.io.IOException;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.journal.format.CorruptMetadataException;

/** Reads a symlink's target: its content, at most PATH_MAX bytes (normally stuffed, spec 5.2). */
public final class SymlinkReader {
    public static final int PATH_MAX = 4096;

    private SymlinkReader() {
    }

    public static byte[] target(Pointers ptrs, Geometry geo, Inode inode) throws IOException {
        if (!inode.dinode().isSymlink()) {
            throw new IllegalArgumentException("inode " + inode.addr() + " is not a symlink");
        }
        if (inode.dinode().size() == 0) {
            throw new CorruptMetadataException(inode.addr(), "dinode", "di_size", "0 for a symlink");
        }
        return FileReader.of(ptrs, geo, inode).readAll(PATH_MAX);
    }
}
