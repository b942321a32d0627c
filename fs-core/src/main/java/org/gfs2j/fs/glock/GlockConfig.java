package org.gfs2j.fs.glock;

/**
 * Policy of one {@link GlockManager}.
 *
 * @param singleNode         no other node shares the lockspace: NOCACHE holders do not demote on
 *                           release and the LRU never frees on its own (only {@link GlockManager#shrink}
 *                           and {@link GlockManager#forceDemote} demote)
 * @param lruLimit           unused LRU-eligible glocks kept cached; beyond it the oldest are demoted
 *                           to UN and freed (0 = no limit)
 * @param checkLockOrder     reject waiting acquisitions that break docs/lock-order.md (per thread)
 * @param holdTimeInitialNanos minimum hold time of inode glocks before a remote demote (spec 4.5)
 */
public record GlockConfig(boolean singleNode, int lruLimit, boolean checkLockOrder, long holdTimeInitialNanos,
                          long holdTimeMinNanos, long holdTimeMaxNanos, long holdTimeGrowNanos,
                          long holdTimeShrinkNanos) {
    private static final long MS = 1_000_000L;

    public GlockConfig {
        if (lruLimit < 0) {
            throw new IllegalArgumentException("lruLimit must be >= 0");
        }
        if (holdTimeMinNanos < 0 || holdTimeMinNanos > holdTimeMaxNanos) {
            throw new IllegalArgumentException("hold time bounds out of order");
        }
    }

    /** Linux's defaults, with a cluster lockspace. */
    public static GlockConfig cluster() {
        return new GlockConfig(false, 50_000, true, 200 * MS, 10 * MS, 200 * MS, 50 * MS, 25 * MS);
    }

    /** A single-node mount: glocks stay cached until unmount. */
    public static GlockConfig singleNodeMount() {
        return new GlockConfig(true, 0, true, 200 * MS, 10 * MS, 200 * MS, 50 * MS, 25 * MS);
    }

    public GlockConfig withLruLimit(int limit) {
        return new GlockConfig(singleNode, limit, checkLockOrder, holdTimeInitialNanos, holdTimeMinNanos,
                holdTimeMaxNanos, holdTimeGrowNanos, holdTimeShrinkNanos);
    }

    public GlockConfig withLockOrderCheck(boolean check) {
        return new GlockConfig(singleNode, lruLimit, check, holdTimeInitialNanos, holdTimeMinNanos,
                holdTimeMaxNanos, holdTimeGrowNanos, holdTimeShrinkNanos);
    }
}
