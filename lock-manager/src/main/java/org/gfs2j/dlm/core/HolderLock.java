package org.gfs2j.dlm.core;

import org.gfs2j.dlm.LockCallbacks;
import org.gfs2j.dlm.LockMode;

/** The holder node's ("process") copy of one of its own locks. */
final class HolderLock {
    enum Op { NONE, REQUEST, CONVERT, UNLOCK }

    /** Where the pending operation is: not yet sent, waiting for the master's name, sent, queued on the master. */
    enum Phase { UNSENT, LOOKUP, SENT, QUEUED }

    enum Cancel { NONE, WANTED, SENT }

    final int lkid;
    final ResourceName name;
    final LockCallbacks callbacks;
    LockMode granted;
    /** The node this lock's master copy lives on (0 = not known yet); follows the lock, not the name cache. */
    int master;
    Op op = Op.NONE;
    LockMode requested;
    int opFlags;
    Phase phase = Phase.UNSENT;
    Cancel cancel = Cancel.NONE;
    boolean valblk;
    byte[] lvb;
    long lvbSeq;
    long sentAtNanos;
    /** A down-conversion completed locally during recovery, still to be told to the master. */
    LockMode downUnsent;
    int downFlags;
    /** Holder-side BAST suppression: strongest BAST queued since the last completion. */
    LockMode lastBast;
    /** Status flags reported early (DEMOTED with a queued conversion) for the completion to carry. */
    int pendingSbFlags;

    HolderLock(int lkid, ResourceName name, LockCallbacks callbacks, int lvbLen) {
        this.lkid = lkid;
        this.name = name;
        this.callbacks = callbacks;
        this.lvb = new byte[lvbLen];
    }

    boolean middleConversion() {
        return op == Op.CONVERT && LockMode.isMiddle(granted, requested);
    }
}
