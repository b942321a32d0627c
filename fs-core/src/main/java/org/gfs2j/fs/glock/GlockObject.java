package org.gfs2j.fs.glock;

import java.io.IOException;

/**
 * The in-core object a glock protects (an inode, a resource group, ...), attached with
 * {@link Glock#attach}. The type's {@link GlockOperations} call it; all methods default to
 * doing nothing.
 */
public interface GlockObject {
    /**
     * The glock was granted after a state change and the object's in-core copy may be stale:
     * re-read it (the dinode; the rgrp header and bitmaps, or trust {@link Glock#valueBlock}).
     * Runs in the first holder's thread, before any holder of the new state proceeds.
     */
    default void refresh(Glock glock) throws IOException {
    }

    /** In-core copies are no longer valid (metadata too unless {@code metadata} is false). */
    default void invalidate(Glock glock, boolean metadata) {
    }

    /**
     * Another node (or a forced demote) wants this glock down to {@code target}. Runs on the lock
     * manager's callback thread: must not block; schedule work instead (iopen: "may this unlinked
     * inode be deallocated now?").
     */
    default void demoteRequested(Glock glock, GlockState target) {
    }
}
