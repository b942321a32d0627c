package org.gfs2j.fs.glock;

/** One glock of a multi-glock acquisition ({@link GlockManager#acquireOrdered}). */
public record GlockRequest(GlockName name, GlockState state, int flags) {
    public static GlockRequest of(GlockName name, GlockState state) {
        return new GlockRequest(name, state, 0);
    }
}
