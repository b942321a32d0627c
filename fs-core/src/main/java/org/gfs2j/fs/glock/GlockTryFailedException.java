package org.gfs2j.fs.glock;

/** A TRY or TRY_1CB holder could not be granted without waiting (the caller's EAGAIN). */
public final class GlockTryFailedException extends GlockException {
    private static final long serialVersionUID = 1L;

    public GlockTryFailedException(GlockName name, GlockState state) {
        super("glock " + name + " busy: try lock for " + state + " refused");
    }
}
