package org.gfs2j.journal.log;

import java.time.Duration;

/**
 * When committed transactions are written to the log (group commit).
 *
 * @param name              shown in logs and the benchmark
 * @param maxPendingBlocks  flush as soon as pending transactions need this many log blocks;
 *                          0 flushes every commit (no group commit)
 * @param maxAge            flush when the oldest pending transaction is this old ({@link JournalLog#tick()})
 * @param writeBackPercent  write back and move the tail when the live log exceeds this share of the journal
 */
public record FlushPolicy(String name, int maxPendingBlocks, Duration maxAge, int writeBackPercent) {
    public FlushPolicy {
        if (maxPendingBlocks < 0 || maxAge.isNegative() || writeBackPercent < 1 || writeBackPercent > 100) {
            throw new IllegalArgumentException("bad flush policy " + name);
        }
    }

    /**
     * GFS2-like default: group commit, flush at 1/8 of the journal or after 30 s (the kernel's
     * commit interval) or on fsync/demote; background write-back beyond half the journal.
     */
    public static FlushPolicy groupCommit(long journalBlocks) {
        return new FlushPolicy("group-commit", (int) Math.max(16, journalBlocks / 8), Duration.ofSeconds(30), 50);
    }

    /** Every commit is flushed at once: the baseline without group commit. */
    public static FlushPolicy everyCommit() {
        return new FlushPolicy("every-commit", 0, Duration.ZERO, 50);
    }

    public boolean flushesEveryCommit() {
        return maxPendingBlocks == 0;
    }
}
