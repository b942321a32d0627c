package org.gfs2j.dlm;

import java.util.Set;

/**
 * What the file system is told about lockspace recovery (Linux {@code recover_prep} /
 * {@code recover_done}). Both run on the lock manager's thread. After {@link #recoverDone} the
 * DLM may grant survivors locks a dead node held before its journal is replayed: the glock layer
 * must hold such grants back itself (spec 4.12).
 */
public interface RecoveryListener {
    /** The lockspace stopped: a member left or joined; no callbacks until it resumes. */
    void recoverPrep();

    /**
     * Recovery finished; called before any completion held during recovery is delivered.
     *
     * @param members  current members
     * @param departed nodes that left (failed) since the lockspace last ran; their locks are gone
     * @param epoch    membership epoch of this recovery (increases with every membership change)
     */
    void recoverDone(Set<Integer> members, Set<Integer> departed, long epoch);
}
