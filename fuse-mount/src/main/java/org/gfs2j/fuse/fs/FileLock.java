package org.gfs2j.fuse.fs;

import org.gfs2j.fuse.protocol.Fuse;

/**
 * A byte-range lock ({@code fuse_file_lock}): first byte, last byte inclusive
 * ({@link Fuse#OFFSET_MAX} = to end of file), type F_RDLCK/F_WRLCK/F_UNLCK, holder's pid.
 */
public record FileLock(long start, long end, int type, int pid) {
    public static FileLock unlocked() {
        return new FileLock(0, 0, Fuse.F_UNLCK, 0);
    }
}
