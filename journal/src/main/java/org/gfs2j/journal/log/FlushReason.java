package org.gfs2j.journal.log;

/** Why the log was flushed; each has a counter ({@code gfs2j.journal.flush.<name>}). */
public enum FlushReason {
    /** Pending transactions reached the policy's size limit. */
    SIZE("size"),
    /** The oldest pending transaction reached the policy's age limit. */
    AGE("age"),
    /** The policy flushes every commit (no group commit). */
    COMMIT("commit"),
    /** fsync or sync asked for durability. */
    FSYNC("fsync"),
    /** A glock demote: its blocks must be logged, written in place and revoked. */
    DEMOTE("demote"),
    /** An explicit request by the caller. */
    EXPLICIT("explicit"),
    /** A reservation did not fit: flush, write back, move the tail. */
    LOG_SPACE("log_space"),
    /** Background write-back moved the tail (header-only flush). */
    TAIL("tail"),
    /** Clean unmount. */
    UNMOUNT("unmount");

    private final String metricName;

    FlushReason(String metricName) {
        this.metricName = metricName;
    }

    public String metricName() {
        return "gfs2j.journal.flush." + metricName;
    }
}
