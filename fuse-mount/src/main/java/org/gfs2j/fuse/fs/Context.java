package org.gfs2j.fuse.fs;

/**
 * Who asked, and whether the caller has given up. uid/gid are the caller's fsuid/fsgid, pid its
 * thread id (0 for requests the kernel makes itself: writeback, release, forget).
 * A handler that may wait long (a blocking lock, a cluster lock) must honour interrupts: check
 * {@link #isInterrupted()} or register {@link #onInterrupt(Runnable)} and then fail with EINTR.
 */
public interface Context {
    int uid();

    int gid();

    int pid();

    /** The request's unique id (for logging). */
    long unique();

    /** True once the kernel sent INTERRUPT for this request. */
    boolean isInterrupted();

    /**
     * Runs {@code action} when this request is interrupted (immediately, on this thread, if it
     * already was). Runs on the thread that read the INTERRUPT: keep it short (signal a condition).
     */
    void onInterrupt(Runnable action);
}
