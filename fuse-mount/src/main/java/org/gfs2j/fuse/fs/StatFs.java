package org.gfs2j.fuse.fs;

/** {@code fuse_kstatfs}: counts in {@code frsize} units (blocks) and inodes (files). */
public record StatFs(long blocks, long bfree, long bavail, long files, long ffree,
                     int bsize, int namelen, int frsize) {
}
