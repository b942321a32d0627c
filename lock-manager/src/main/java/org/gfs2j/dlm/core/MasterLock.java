package org.gfs2j.dlm.core;

import org.gfs2j.dlm.LockMode;

/** The master copy of one lock: identified by (holder node, holder's lock id). */
final class MasterLock {
    final int node;
    final int lkid;
    final MasterResource resource;
    LockMode granted;
    LockMode requested;
    int flags;
    /** Whether the owner ever used VALBLK on this lock (recovery invalidates values written by dead PW/EX holders). */
    boolean valblk;
    LockMode lastBast;
    long lvbSeq;
    /** Value carried by a queued same-mode PW/EX conversion, written when it is granted. */
    byte[] pendingWrite;
    /** Rebuilt from a holder copy during recovery: its value block and whether it was a PR/CW conversion. */
    byte[] recoveredLvb;
    boolean middleConversion;

    MasterLock(int node, int lkid, MasterResource resource) {
        this.node = node;
        this.lkid = lkid;
        this.resource = resource;
    }

    static long key(int node, int lkid) {
        return ((long) node << 32) | (lkid & 0xffffffffL);
    }

    long key() {
        return key(node, lkid);
    }

    @Override
    public String toString() {
        return "lkid " + lkid + " node " + node + " " + granted + (requested != null ? " (" + requested + ")" : "");
    }
}
