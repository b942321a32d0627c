package org.gfs2j.fs.glock;

/**
 * Glock types with GFS2's numbers (spec 4.2). The number is the first half of the DLM resource
 * name, so it must match what every node uses.
 */
public enum GlockType {
    /** Cluster-wide coordination locks: mount 0, live 1, freeze 2, rename 3 (spec 4.11). */
    NONDISK(1, false),
    /** Number = dinode block address; protects the dinode, its metadata tree and its pages. */
    INODE(2, true),
    /** Number = rgrp header block; protects header and bitmaps; LVB carries the counts (4.6). */
    RGRP(3, false),
    /** Number 0 = superblock, read at mount. */
    META(4, false),
    /** Number = dinode block; "in use on some node" (4.7). */
    IOPEN(5, true),
    /** Number = dinode block; flock(2) locks (5.1). */
    FLOCK(6, true),
    /** Defined by GFS2 but unused: POSIX locks go through the plock protocol. */
    PLOCK(7, false),
    /** Number = 2*id (+1 for a group); LVB carries the quota record (4.8). */
    QUOTA(8, true),
    /** Number = journal id; EX = the right to write that journal (4.9). */
    JOURNAL(9, false);

    /** GFS2's LM_TYPE_* value. */
    public final int number;
    /** Whether an unused glock of this type goes on the LRU and may be freed (as the kernel does). */
    public final boolean lruEligible;

    GlockType(int number, boolean lruEligible) {
        this.number = number;
        this.lruEligible = lruEligible;
    }

    public static GlockType ofNumber(int number) {
        for (GlockType t : values()) {
            if (t.number == number) {
                return t;
            }
        }
        throw new IllegalArgumentException("no glock type " + number);
    }
}
