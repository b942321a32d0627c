package org.gfs2j.dlm;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Callbacks for a caller that waits: each completion is queued and taken by {@link #await}.
 * Blocking callbacks go to an optional handler (on the lock manager's thread). For tools, tests
 * and benchmarks; the glock layer uses its own asynchronous callbacks.
 */
public final class LockWaiter implements LockCallbacks {
    private final BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private final BlockingHandler onBlocking;

    /** What to do when a held lock blocks another node's request. */
    public interface BlockingHandler {
        void blocking(int lockId, LockMode wanted);
    }

    public LockWaiter() {
        this(null);
    }

    public LockWaiter(BlockingHandler onBlocking) {
        this.onBlocking = onBlocking;
    }

    @Override
    public void completed(Completion completion) {
        completions.add(completion);
    }

    @Override
    public void blocking(int lockId, LockMode wanted) {
        if (onBlocking != null) {
            onBlocking.blocking(lockId, wanted);
        }
    }

    /** The next completion, or an exception if none arrives in time. */
    public Completion await(Duration timeout) {
        try {
            Completion c = completions.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (c == null) {
                throw new IllegalStateException("no completion within " + timeout);
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a lock");
        }
    }

    /** Locks and waits for the outcome. */
    public static Completion lock(Lockspace ls, byte[] name, LockMode mode, int flags, LockWaiter w, Duration timeout) {
        ls.lock(name, mode, flags, w);
        return w.await(timeout);
    }

}
