package org.gfs2j.fs.mount;

import org.gfs2j.fs.glock.GlockScheduler;
import org.gfs2j.journal.log.FlushPolicy;

/**
 * How to mount: this node's journal id, the clean-buffer bound of the metadata cache, the log's
 * flush policy (null = the journal's default) and the glock worker (null = a thread of our own,
 * closed at unmount; tests pass a manual one to run demotes when they choose).
 */
public record MountConfig(int jid, int maxCleanBuffers, FlushPolicy flushPolicy, GlockScheduler scheduler) {
    public static final int DEFAULT_MAX_CLEAN = 16384;

    public MountConfig {
        if (jid < 0) {
            throw new IllegalArgumentException("jid must be >= 0: " + jid);
        }
        if (maxCleanBuffers < 1) {
            throw new IllegalArgumentException("maxCleanBuffers must be >= 1: " + maxCleanBuffers);
        }
    }

    public static MountConfig of(int jid) {
        return new MountConfig(jid, DEFAULT_MAX_CLEAN, null, null);
    }

    public MountConfig withMaxCleanBuffers(int n) {
        return new MountConfig(jid, n, flushPolicy, scheduler);
    }

    public MountConfig withFlushPolicy(FlushPolicy p) {
        return new MountConfig(jid, maxCleanBuffers, p, scheduler);
    }

    public MountConfig withScheduler(GlockScheduler s) {
        return new MountConfig(jid, maxCleanBuffers, flushPolicy, s);
    }
}
