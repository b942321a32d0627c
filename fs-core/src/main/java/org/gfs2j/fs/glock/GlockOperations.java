package org.gfs2j.fs.glock;

import java.io.IOException;

/**
 * What one glock type does around state changes (the kernel's glops). A state change runs, in
 * this order: {@link #sync} (if leaving EX), {@link #invalidate} (if going to UN or DF), the DLM
 * conversion; after a grant the first holder runs {@link #refresh}. No glock monitor is held
 * while these run.
 */
public interface GlockOperations {
    /** Whether the glock's DLM lock carries a value block (all calls pass VALBLK). */
    default boolean usesValueBlock() {
        return false;
    }

    /** Makes everything dirty under the glock durable and written in place; called before leaving EX. */
    default void sync(Glock glock, GlockState target) throws IOException {
    }

    /** Drops what {@code target} (UN or DF) may not cache. */
    default void invalidate(Glock glock, GlockState target) {
    }

    /** After a grant into a state other than UN, before the first holder without SKIP proceeds. */
    default void refresh(Glock glock) throws IOException {
        GlockObject o = glock.attachment();
        if (o != null) {
            o.refresh(glock);
        }
    }

    /** A remote (or forced) demote request arrived; must not block. */
    default void demoteRequested(Glock glock, GlockState target) {
    }

    /** Whether an unused glock may be demoted and freed by the LRU. */
    default boolean mayDemoteIdle(Glock glock) {
        return true;
    }
}
