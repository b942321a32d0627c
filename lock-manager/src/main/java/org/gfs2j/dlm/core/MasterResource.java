package org.gfs2j.dlm.core;

import java.util.ArrayList;
import java.util.List;
import org.gfs2j.dlm.LockFlags;
import org.gfs2j.dlm.LockMode;

/**
 * The authoritative copy of a resource on its master: the three queues and the value block. The
 * grant rules of spec section 1.3 live here; sending is left to the caller.
 */
final class MasterResource {
    final ResourceName name;
    final List<MasterLock> granted = new ArrayList<>();
    final List<MasterLock> converting = new ArrayList<>();
    final List<MasterLock> waiting = new ArrayList<>();
    byte[] lvb;
    long lvbSeq;
    boolean lvbInvalid;
    /** Re-created from holder copies in an unfinished recovery pass. */
    boolean rebuiltPending;
    /** Clock reading when the resource was first seen without any lock, -1 while it has locks. */
    long idleSinceNanos = -1;

    MasterResource(ResourceName name, int lvbLen) {
        this.name = name;
        this.lvb = new byte[lvbLen];
    }

    /** Compatible with the granted mode of every other lock on the grant and convert queues. */
    boolean compatibleWithOthers(MasterLock lk, LockMode mode) {
        for (MasterLock o : granted) {
            if (o != lk && !mode.compatibleWith(o.granted)) {
                return false;
            }
        }
        for (MasterLock o : converting) {
            if (o != lk && !mode.compatibleWith(o.granted)) {
                return false;
            }
        }
        return true;
    }

    /** Grant rule for a new request ({@code now}) or a queued one being re-examined. */
    boolean canGrantRequest(MasterLock lk, LockMode mode, boolean now) {
        if (LockFlags.has(lk.flags, LockFlags.EXPEDITE) && mode == LockMode.NL) {
            return true;
        }
        if (!compatibleWithOthers(lk, mode)) {
            return false;
        }
        if (LockFlags.has(lk.flags, LockFlags.NOORDER)) {
            return true;
        }
        if (!converting.isEmpty()) {
            return false;
        }
        return now ? waiting.isEmpty() : (!waiting.isEmpty() && waiting.get(0) == lk);
    }

    /** Grant rule for a conversion requested now or queued and re-examined. */
    boolean canGrantConvert(MasterLock lk, LockMode mode, boolean now, boolean ignoreOrder) {
        if (lk.granted.isDownTo(mode)) {
            return true;
        }
        if (!compatibleWithOthers(lk, mode)) {
            return false;
        }
        if (ignoreOrder || LockFlags.has(lk.flags, LockFlags.NOORDER)) {
            return true;
        }
        if (now) {
            return !LockFlags.has(lk.flags, LockFlags.QUECVT) || converting.isEmpty();
        }
        return !converting.isEmpty() && converting.get(0) == lk;
    }

    /** The mode to grant (requested, or an ALTPR/ALTCW alternate), or null if none can be granted. */
    LockMode grantableMode(MasterLock lk, boolean conversion, boolean now, boolean ignoreOrder) {
        LockMode rq = lk.requested;
        if (can(lk, rq, conversion, now, ignoreOrder)) {
            return rq;
        }
        if (LockFlags.has(lk.flags, LockFlags.ALTPR) && rq != LockMode.PR && can(lk, LockMode.PR, conversion, now, ignoreOrder)) {
            return LockMode.PR;
        }
        if (LockFlags.has(lk.flags, LockFlags.ALTCW) && rq != LockMode.CW && can(lk, LockMode.CW, conversion, now, ignoreOrder)) {
            return LockMode.CW;
        }
        return null;
    }

    private boolean can(MasterLock lk, LockMode mode, boolean conversion, boolean now, boolean ignoreOrder) {
        return conversion ? canGrantConvert(lk, mode, now, ignoreOrder) : canGrantRequest(lk, mode, now);
    }

    /**
     * Conversion deadlock (spec 1.4): some conversion already queued ahead wants a mode
     * incompatible with this lock's granted mode, so neither can ever go first.
     */
    boolean conversionDeadlock(MasterLock lk) {
        for (MasterLock ahead : converting) {
            if (ahead != lk && !lk.granted.compatibleWith(ahead.requested)) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return granted.isEmpty() && converting.isEmpty() && waiting.isEmpty();
    }

    void remove(MasterLock lk) {
        granted.remove(lk);
        converting.remove(lk);
        waiting.remove(lk);
    }

    int queued() {
        return converting.size() + waiting.size();
    }
}
