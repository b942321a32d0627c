package org.gfs2j.fs.vfs;

/**
 * statfs(2) figures: counts of {@code bsize}-byte blocks and of inodes, as the kernel's GFS2
 * computes them (master statfs plus every node's pending changes).
 */
public record FsStatistics(int bsize, long blocks, long bfree, long bavail, long files, long ffree, int nameMax) {
}
