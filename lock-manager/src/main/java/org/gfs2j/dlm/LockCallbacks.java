package org.gfs2j.dlm;

/**
 * Callbacks of one lock. Both run on the lock manager's event-loop thread, one at a time per
 * lockspace, in the order generated; they must not block for long but may call back into the
 * lockspace (lock, convert, unlock, cancel).
 */
public interface LockCallbacks {
    /** Exactly once per accepted operation. */
    void completed(Completion completion);

    /** "You are blocking a request for {@code wanted}"; advisory, the holder decides how far to demote. */
    default void blocking(int lockId, LockMode wanted) {
    }
}
