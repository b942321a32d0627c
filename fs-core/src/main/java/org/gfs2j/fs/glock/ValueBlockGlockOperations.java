package org.gfs2j.fs.glock;

/**
 * Glocks with a value block and nothing cached besides it (quota: the LVB is the cache of the
 * quota record, spec 4.8).
 */
public final class ValueBlockGlockOperations implements GlockOperations {
    @Override
    public boolean usesValueBlock() {
        return true;
    }
}
