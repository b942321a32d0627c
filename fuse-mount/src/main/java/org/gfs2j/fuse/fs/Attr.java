package org.gfs2j.fuse.fs;

/**
 * Inode attributes as sent in {@code fuse_attr}. Times are seconds plus nanoseconds; {@code mode}
 * includes the file type bits, which must never change for a node id; {@code blocks} counts
 * 512-byte units; {@code rdev} uses the Linux "new" device encoding.
 */
public record Attr(long ino, long size, long blocks,
                   long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec, long ctimeSec, int ctimeNsec,
                   int mode, int nlink, int uid, int gid, int rdev, int blksize) {
}
