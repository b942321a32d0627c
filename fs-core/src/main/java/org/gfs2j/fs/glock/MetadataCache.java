package org.gfs2j.fs.glock;

import java.io.IOException;

/**
 * The node's cache of metadata (and fs-core-buffered data) blocks, indexed by the glock that
 * protects them (the kernel keeps such a list per glock).
 */
public interface MetadataCache {
    /** Whether blocks under {@code glock} are dirty or logged but not yet written in place. */
    boolean isDirty(GlockName glock);

    /**
     * Writes the blocks under {@code glock} in place, waits for them, and logs revokes for them, so
     * that replaying this node's journal later cannot overwrite newer copies written elsewhere.
     * Called after {@link LogFlusher#flush}.
     */
    void writeBack(GlockName glock) throws IOException;

    /**
     * Drops cached blocks under {@code glock}: data blocks always, metadata blocks too if
     * {@code metadata} (false when going to DF, which may keep metadata).
     */
    void invalidate(GlockName glock, boolean metadata);

    MetadataCache NONE = new MetadataCache() {
        @Override
        public boolean isDirty(GlockName glock) {
            return false;
        }

        @Override
        public void writeBack(GlockName glock) {
        }

        @Override
        public void invalidate(GlockName glock, boolean metadata) {
        }
    };
}
