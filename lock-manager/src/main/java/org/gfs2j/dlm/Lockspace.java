package org.gfs2j.dlm;

/**
 * One lockspace (GFS2: one per file system, named by the lock table's file system part). All calls
 * are asynchronous: they either throw {@link DlmException} (EINVAL, EBUSY, ENOTCONN; no callback)
 * or return having accepted the operation, whose outcome arrives in exactly one
 * {@link LockCallbacks#completed} call. Calls are thread-safe; made during recovery they are
 * accepted and carried out when recovery ends.
 */
public interface Lockspace {
    String name();

    /** Value block length of this lockspace (32). */
    int lvbLength();

    /**
     * Requests a new lock on {@code resource} (1..64 bytes).
     *
     * @param flags {@link LockFlags}; CONVERT is not accepted here (use {@link #convert})
     * @return the new lock's id
     */
    int lock(byte[] resource, LockMode mode, int flags, LockCallbacks callbacks);

    /**
     * Converts a granted lock. With VALBLK and a granted mode of PW/EX going down, {@code lvb}
     * (lvbLength bytes) becomes the resource's value; otherwise it may be null.
     */
    void convert(int lockId, LockMode mode, int flags, byte[] lvb);

    /** Unlocks a granted lock; with VALBLK from PW/EX {@code lvb} becomes the resource's value. */
    void unlock(int lockId, int flags, byte[] lvb);

    /** Cancels a queued request or conversion; a no-op (no callback) if nothing is pending. */
    void cancel(int lockId);

    /** Registers the file system's recovery hooks (one listener per lockspace; null removes it). */
    void setRecoveryListener(RecoveryListener listener);

    /** A lock dump of this node's view (resources mastered here, and this node's own locks). */
    String dump();
}
