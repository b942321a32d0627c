package org.gfs2j.fs.meta;

import org.gfs2j.fs.ondisk.StatfsChange;

/**
 * statfs(2) figures the way the kernel's gfs2_statfs computes them from the master statfs totals
 * plus pending per-node deltas: blocks = total, bfree = bavail = free, files = dinodes + free,
 * ffree = free, with free clamped to 0..total and dinodes to at least 0.
 */
public record Statfs(int bsize, long blocks, long bfree, long bavail, long files, long ffree) {
    public static Statfs of(int bsize, StatfsChange sum) {
        long total = sum.total();
        long free = Math.max(0, Math.min(sum.free(), total));
        long dinodes = Math.max(0, sum.dinodes());
        return new Statfs(bsize, total, free, free, dinodes + free, free);
    }
}
