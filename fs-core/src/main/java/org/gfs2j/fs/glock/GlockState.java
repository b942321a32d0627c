package org.gfs2j.fs.glock;

import org.gfs2j.dlm.LockMode;

/**
 * Glock states with GFS2's internal values (spec 4.3) and the DLM mode each one maps to.
 * SH and DF are each self-compatible and mutually incompatible; EX excludes everything.
 */
public enum GlockState {
    /** Unlocked: nothing may be cached. The DLM lock, if any, is kept at NL. */
    UN(0, LockMode.NL),
    /** Exclusive: may cache and dirty data and metadata. */
    EX(1, LockMode.EX),
    /** Deferred (direct I/O): may cache metadata only, never data. */
    DF(2, LockMode.CW),
    /** Shared: may cache data and metadata, nothing dirty. */
    SH(3, LockMode.PR);

    /** GFS2's LM_ST_* value. */
    public final int value;
    public final LockMode dlmMode;

    GlockState(int value, LockMode dlmMode) {
        this.value = value;
        this.dlmMode = dlmMode;
    }

    /** The state a granted DLM mode stands for (NL or no lock: UN). */
    public static GlockState ofDlmMode(LockMode mode) {
        if (mode == null) {
            return UN;
        }
        switch (mode) {
            case NL: return UN;
            case PR: return SH;
            case CW: return DF;
            case EX: return EX;
            default: throw new IllegalArgumentException("GFS2 never holds a glock in DLM mode " + mode);
        }
    }

    /**
     * How far a holder of this state must go down for a request of {@code wanted} elsewhere
     * (spec 4.5: EX → UN, PR → SH, CW → DF).
     */
    public static GlockState demoteTargetFor(LockMode wanted) {
        switch (wanted) {
            case NL: return null;
            case PR: case CR: return SH;
            case CW: return DF;
            default: return UN;
        }
    }

    /** Whether two nodes could hold these states at once. */
    public boolean compatibleWith(GlockState other) {
        return dlmMode.compatibleWith(other.dlmMode);
    }
}
