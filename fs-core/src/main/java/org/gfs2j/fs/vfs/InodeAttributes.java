package org.gfs2j.fs.vfs;

/**
 * What stat(2) shows of an inode, as the kernel's GFS2 reports it.
 *
 * @param ino        the dinode's block address (GFS2's inode number, {@code no_addr})
 * @param generation the formal inode number ({@code no_formal_ino}): distinguishes a reused block
 * @param mode       file type and permission bits
 * @param blocks     space used in 512-byte units ({@code di_blocks} scaled from file-system blocks)
 * @param rdev       device number of a character/block device in the Linux "new" encoding
 *                   ({@link #encodeDevice}), 0 otherwise
 * @param blksize    preferred I/O size: the file-system block size
 */
public record InodeAttributes(long ino, long generation, int mode, long nlink, long uid, long gid, long size,
                              long blocks, long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec,
                              long ctimeSec, int ctimeNsec, int rdev, int blksize) {
    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public boolean isRegular() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isSymlink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    /** Linux {@code new_encode_dev}: what st_rdev and FUSE's attr.rdev carry. */
    public static int encodeDevice(long major, long minor) {
        return (int) ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffL) << 12));
    }
}
