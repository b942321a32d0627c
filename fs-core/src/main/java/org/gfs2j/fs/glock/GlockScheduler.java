package org.gfs2j.fs.glock;

/**
 * Time and the demote worker of one {@link GlockManager}. Demotes, LRU frees and follow-up
 * conversions run here, never on the lock manager's callback thread. Tests inject a manual one
 * (virtual time, tasks run when the test says) to stay deterministic.
 */
public interface GlockScheduler {
    /** Monotonic time, nanoseconds. */
    long nanoTime();

    /** Runs {@code task} soon, on the worker. */
    void execute(Runnable task);

    /** Runs {@code task} on the worker once {@code delayNanos} have passed. */
    void schedule(Runnable task, long delayNanos);
}
