package org.gfs2j.fs.glock;

/**
 * Glocks that protect no cached blocks (meta, journal, flock, nondisk). Demote requests are
 * passed to the attached object, if any: the freeze and live locks react to them (spec 4.5).
 */
public final class CallbackGlockOperations implements GlockOperations {
    @Override
    public void demoteRequested(Glock glock, GlockState target) {
        GlockObject o = glock.attachment();
        if (o != null) {
            o.demoteRequested(glock, target);
        }
    }
}
