package org.gfs2j.fs.glock;

import java.util.List;

/**
 * One local use of a glock: a requested state and flags. Granted holders share the glock's cached
 * state; waiting holders are granted strictly in order. Close it to release (or withdraw the
 * request); closing twice is harmless.
 */
public final class Holder implements AutoCloseable {
    enum Status { WAITING, GRANTED, FAILED, RELEASED }

    private final Glock glock;
    private final GlockState state;
    private final int flags;
    final long enqueuedAt;
    final String owner;
    // guarded by the glock's monitor
    Status status = Status.WAITING;
    GlockException failure;
    /** The per-thread list the lock-order checker put this holder in, if any. */
    List<Holder> orderList;

    Holder(Glock glock, GlockState state, int flags, long enqueuedAt) {
        this.glock = glock;
        this.state = state;
        this.flags = flags;
        this.enqueuedAt = enqueuedAt;
        this.owner = Thread.currentThread().getName();
    }

    public Glock glock() {
        return glock;
    }

    public GlockName name() {
        return glock.name();
    }

    /** The requested state (the glock may be in a stronger one, e.g. EX for an SH holder). */
    public GlockState state() {
        return state;
    }

    public int flags() {
        return flags;
    }

    public boolean isGranted() {
        synchronized (glock) {
            return status == Status.GRANTED;
        }
    }

    public boolean isWaiting() {
        synchronized (glock) {
            return status == Status.WAITING;
        }
    }

    /** True once the request failed (try lock refused, shutdown); {@link #await} then throws. */
    public boolean isFailed() {
        synchronized (glock) {
            return status == Status.FAILED;
        }
    }

    /**
     * Waits until granted and, unless {@link HolderFlags#SKIP}, until the protected object has been
     * refreshed after a state change (the first holder to get here runs the refresh).
     *
     * @throws GlockTryFailedException a try lock was refused (the holder is finished)
     * @throws GlockException          shutdown, or the refresh failed (the holder was released)
     */
    public Holder await() throws GlockException {
        glock.await(this);
        return this;
    }

    /** A copy of the glock's value block as last read or written (zeros if never valid). */
    public byte[] valueBlock() {
        return glock.valueBlock();
    }

    /**
     * Replaces the glock's value block; it reaches the DLM when the glock leaves EX. Only a
     * granted holder of a glock held in EX may do this.
     */
    public void writeValueBlock(byte[] value) {
        glock.writeValueBlock(this, value);
    }

    @Override
    public void close() {
        glock.release(this);
    }

    @Override
    public String toString() {
        return "H: s:" + state + " f:" + HolderFlags.describe(flags) + " " + status.name().toLowerCase() + " p:" + owner;
    }
}
