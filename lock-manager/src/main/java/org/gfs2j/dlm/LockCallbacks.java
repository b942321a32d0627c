package org.gfs2j.dlm;

/**
 * Callbacks of one lock. Both run on the lock manager's event-loop thread, one at a time per
 * lockspace, in the order generated; they must not block for long but may call back into the
 * lockspace (lock, convert, unlock, cancel). A completion can run before the thread that called
 * {@code lock} has seen its return value: keep per-lock state in the callbacks object, not keyed
 * by the returned id alone.
 */
public interface LockCallbacks {
    /** Exactly once per accepted operation. */
    void completed(Completion completion);

    /** "You are blocking a request for {@code wanted}"; advisory, the holder decides how far to demote. */
    default void blocking(int lockId, LockMode wanted) {
    }
}
