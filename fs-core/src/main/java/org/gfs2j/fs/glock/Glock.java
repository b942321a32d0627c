package org.gfs2j.fs.glock;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.gfs2j.dlm.Completion;
import org.gfs2j.dlm.DlmException;
import org.gfs2j.dlm.DlmStatus;
import org.gfs2j.dlm.LockCallbacks;
import org.gfs2j.dlm.LockFlags;
import org.gfs2j.dlm.LockMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One glock: exactly one DLM lock of this node plus the state it caches (spec 4.1, 4.5). Local
 * holders compatible with the cached state are granted without any DLM call; the DLM lock stays in
 * its mode after the holders are gone, until a blocking callback, a forced demote or the LRU asks
 * for less.
 *
 * <p>Concurrency: all fields are guarded by this object's monitor. Operations ({@link GlockOperations})
 * and DLM calls are made without it, while {@code busy} keeps a second state change out. A state
 * change is run by whoever finds work to do: the enqueuing thread for a promotion, the manager's
 * worker for everything triggered by a release or a callback. DLM callbacks only update state and
 * grant locally; they never run operations or call the DLM.
 */
public final class Glock {
    private static final Logger LOG = LoggerFactory.getLogger(Glock.class);
    /** A holder that waited longer than this makes the hold time grow (spec 4.5). */
    private static final long LONG_WAIT_NANOS = 1_000_000_000L;

    private final GlockManager manager;
    private final GlockName name;
    private final byte[] resource;
    private final GlockOperations ops;
    private final LockCallbacks callbacks = new LockCallbacks() {
        @Override
        public void completed(Completion completion) {
            onCompletion(completion);
        }

        @Override
        public void blocking(int lockId, LockMode wanted) {
            onBlocking(wanted);
        }
    };

    private GlockState state = GlockState.UN;
    /** The state being requested while busy. */
    private GlockState target;
    /** A state change (operations and DLM call) is in progress. */
    private boolean busy;
    /** Awaiting the DLM's completion of a lock/convert/unlock call. */
    private boolean dlmInFlight;
    private boolean invalidating;
    /** The sync phase of a demote from EX is running: WRITEBACK holders may still be granted. */
    private boolean syncing;
    private int lockId;
    /** Demote requested (remote, forced, NOCACHE or LRU); null = none. */
    private GlockState demoteState;
    private long demoteNotBefore;
    private boolean demoteTimerSet;
    private boolean freeRequested;
    private boolean freed;
    private final List<Holder> holders = new ArrayList<>();
    private final byte[] lvb;
    private boolean refreshNeeded = true;
    private boolean refreshing;
    private long lastChange;
    private long holdTime;
    private int pins;
    private Completion parked;
    private volatile GlockObject attachment;
    // statistics, for dumps and tests
    private int promotions;
    private int demotions;
    private int blockingCallbacks;

    Glock(GlockManager manager, GlockName name, GlockOperations ops) {
        this.manager = manager;
        this.name = name;
        this.resource = name.resourceName();
        this.ops = ops;
        this.lvb = ops.usesValueBlock() ? new byte[manager.lvbLength()] : null;
        this.holdTime = manager.config().holdTimeInitialNanos();
        this.lastChange = manager.scheduler().nanoTime();
    }

    public GlockName name() {
        return name;
    }

    public GlockOperations operations() {
        return ops;
    }

    public synchronized GlockState state() {
        return state;
    }

    /** The DLM lock id, 0 while this node has no DLM lock for the glock. */
    public synchronized int lockId() {
        return lockId;
    }

    public synchronized boolean isFreed() {
        return freed;
    }

    /** The pending demote's target, or null. */
    public synchronized GlockState pendingDemote() {
        return demoteState;
    }

    public synchronized int holderCount() {
        return holders.size();
    }

    /** Number of completed state changes up (from UN, or SH/DF to EX). */
    public synchronized int promotions() {
        return promotions;
    }

    /** Number of completed state changes down. */
    public synchronized int demotions() {
        return demotions;
    }

    public synchronized int blockingCallbacks() {
        return blockingCallbacks;
    }

    /** Current minimum hold time (inode glocks), nanoseconds. */
    public synchronized long holdTimeNanos() {
        return holdTime;
    }

    /** Attaches the in-core object this glock protects (inode, rgrp, ...), or null to detach. */
    public void attach(GlockObject object) {
        this.attachment = object;
    }

    public GlockObject attachment() {
        return attachment;
    }

    /** Keeps the glock from being freed by the LRU while the caller holds a reference to it. */
    void pinLocked() {
        pins++;
    }

    /** Releases a pin taken by {@link GlockManager#pin}. */
    public void unpin() {
        synchronized (this) {
            if (pins == 0) {
                throw new IllegalStateException("glock " + name + " is not pinned");
            }
            pins--;
            if (isIdleLocked()) {
                manager.becameIdleLocked(this);
            }
        }
        manager.trimLru();
    }

    /** A copy of the value block (zeros if never valid); empty for types without one. */
    public synchronized byte[] valueBlock() {
        return lvb == null ? new byte[0] : lvb.clone();
    }

    synchronized void writeValueBlock(Holder h, byte[] value) {
        if (lvb == null) {
            throw new IllegalStateException("glock " + name + " has no value block");
        }
        if (h.status != Holder.Status.GRANTED || state != GlockState.EX) {
            throw new IllegalStateException("only a granted holder of an EX glock may write its value block ("
                    + name + " is " + state + ", holder " + h.status + ")");
        }
        if (value.length != lvb.length) {
            throw new IllegalArgumentException("value block has " + lvb.length + " bytes, got " + value.length);
        }
        System.arraycopy(value, 0, lvb, 0, lvb.length);
    }

    // ---------------------------------------------------------------- holders

    /**
     * Queues a holder, granting it at once if the cached state allows, else starting a state
     * change (in this thread) if it is first in line. Returns null if this glock was freed
     * meanwhile (the manager then retries with a fresh one).
     */
    Holder enqueue(GlockState wanted, int flags) {
        Holder h;
        Step step;
        synchronized (this) {
            if (freed) {
                return null;
            }
            freeRequested = false;
            manager.noLongerIdleLocked(this);
            h = new Holder(this, wanted, flags, manager.scheduler().nanoTime());
            if ((flags & HolderFlags.WRITEBACK) != 0 && syncing && state == GlockState.EX) {
                // the kernel writing back dirty pages for this very demote (see PageCacheNotifier)
                holders.add(0, h);
                h.status = Holder.Status.GRANTED;
                return h;
            }
            if ((flags & HolderFlags.PRIORITY) != 0) {
                holders.add(firstWaiterIndexLocked(), h);
            } else {
                holders.add(h);
            }
            if (HolderFlags.isTry(flags)
                    && (demoteDueLocked() || busy && !mayGrantLocked(firstGrantedLocked(), h))) {
                failLocked(h, new GlockTryFailedException(name, wanted));
            }
            step = planLocked();
        }
        run(step);
        return h;
    }

    void await(Holder h) throws GlockException {
        boolean interrupted = false;
        try {
            synchronized (this) {
                while (h.status == Holder.Status.WAITING) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (h.status == Holder.Status.FAILED) {
                    throw h.failure;
                }
                if (h.status == Holder.Status.RELEASED) {
                    throw new IllegalStateException("holder already released: " + h);
                }
                if ((h.flags() & HolderFlags.SKIP) != 0) {
                    return;
                }
                while (refreshNeeded && refreshing) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (!refreshNeeded) {
                    return;
                }
                refreshing = true;
            }
            try {
                ops.refresh(this);
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    refreshing = false;
                    notifyAll();
                }
                release(h);
                throw new GlockException("refreshing " + name + " after grant failed: " + e.getMessage(), e);
            }
            synchronized (this) {
                refreshing = false;
                refreshNeeded = false;
                notifyAll();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void release(Holder h) {
        boolean more;
        synchronized (this) {
            if (h.status == Holder.Status.RELEASED) {
                return;
            }
            boolean wasGranted = h.status == Holder.Status.GRANTED;
            holders.remove(h);
            h.status = Holder.Status.RELEASED;
            manager.lockOrder().released(h);
            if (wasGranted && (h.flags() & HolderFlags.NOCACHE) != 0 && firstGrantedLocked() == null
                    && !manager.config().singleNode()) {
                requestDemoteLocked(GlockState.UN, false);
            }
            more = needsWorkLocked();
            if (isIdleLocked()) {
                manager.becameIdleLocked(this);
            }
            notifyAll();
        }
        // Demotes go to the worker: the releasing thread may hold other locks (the kernel does the same).
        if (more) {
            manager.scheduler().execute(this::kick);
        }
        manager.trimLru();
    }

    // ---------------------------------------------------------------- demote requests

    /** Asks for a demote to {@code target} at once (no hold time), as a remote request would. */
    void forceDemote(GlockState target) {
        synchronized (this) {
            if (freed || !(stateExceeds(state, target) || demoteState != null)) {
                return;
            }
            requestDemoteLocked(target, false);
        }
        ops.demoteRequested(this, target);
        manager.scheduler().execute(this::kick);
    }

    /** LRU or shutdown: demote to UN and free the DLM lock once no holder or pin is left. */
    boolean requestFree(boolean force) {
        synchronized (this) {
            if (freed) {
                return false;
            }
            if (!force && (!holders.isEmpty() || pins > 0 || !ops.mayDemoteIdle(this))) {
                return false;
            }
            freeRequested = true;
            if (state != GlockState.UN) {
                requestDemoteLocked(GlockState.UN, false);
            }
        }
        return true;
    }

    private void onBlocking(LockMode wanted) {
        GlockState target = GlockState.demoteTargetFor(wanted);
        if (target == null) {
            return;
        }
        synchronized (this) {
            blockingCallbacks++;
            if (freed || state.dlmMode.compatibleWith(wanted)) {
                return; // already demoted far enough
            }
            if (manager.config().singleNode()) {
                LOG.warn("glock {}: blocking callback for {} in single-node mode (another node shares the lockspace?)",
                        name, wanted);
            }
            requestDemoteLocked(target, true);
        }
        ops.demoteRequested(this, target);
        manager.scheduler().execute(this::kick);
    }

    private void requestDemoteLocked(GlockState target, boolean remote) {
        if (demoteState != null && demoteState != target) {
            target = GlockState.UN; // two different requests: give up everything
        }
        if (target != GlockState.UN && state != GlockState.EX) {
            target = GlockState.UN; // SH <-> DF is no demotion: give up everything instead
        }
        demoteState = target;
        long now = manager.scheduler().nanoTime();
        long notBefore = now;
        if (remote && name.type() == GlockType.INODE && !holders.isEmpty()) {
            notBefore = Math.max(now, lastChange + holdTime);
        }
        if (demoteNotBefore <= now || notBefore < demoteNotBefore) {
            demoteNotBefore = notBefore;
        }
        armDemoteTimerLocked(now);
    }

    /**
     * Makes sure a kick happens when a delayed demote becomes due. One timer at a time; a timer
     * that fires early (armed for an older, earlier request) re-arms itself.
     */
    private void armDemoteTimerLocked(long now) {
        if (demoteState == null || demoteNotBefore <= now || demoteTimerSet) {
            return;
        }
        demoteTimerSet = true;
        manager.scheduler().schedule(() -> {
            synchronized (this) {
                demoteTimerSet = false;
                armDemoteTimerLocked(manager.scheduler().nanoTime());
            }
            kick();
        }, demoteNotBefore - now);
    }

    private boolean demoteActiveLocked() {
        return demoteState != null && manager.scheduler().nanoTime() >= demoteNotBefore;
    }

    /** A demote is due and still has something to do (new holders queue behind it). */
    private boolean demoteDueLocked() {
        return demoteState != null && stateExceeds(state, demoteState) && demoteActiveLocked();
    }

    private void clearDemoteLocked() {
        demoteState = null;
        demoteNotBefore = 0;
    }

    // ---------------------------------------------------------------- the state machine

    /** What to do outside the monitor; built by {@link #planLocked} with {@code busy} set. */
    private record Step(Kind kind, GlockState from, GlockState to, int dlmFlags, int lockId, byte[] lvb) {
    }

    private enum Kind { XMOTE, UNLOCK }

    /** Finds work and runs it in the calling thread (the worker, or close()). */
    void kick() {
        Step step;
        synchronized (this) {
            step = planLocked();
        }
        run(step);
    }

    /**
     * Grants what the cached state allows, fails try locks that would have to wait, and returns
     * the next state change to make (marking the glock busy), or null.
     */
    private Step planLocked() {
        if (busy || freed) {
            return null;
        }
        if (demoteState != null && !stateExceeds(state, demoteState)) {
            clearDemoteLocked();
        }
        if (demoteState != null && demoteActiveLocked()) {
            if (firstGrantedLocked() != null) {
                return null; // demote waits for the granted holders; new ones queue behind it
            }
            failTryWaitersLocked();
            return beginLocked(demoteState, null);
        }
        Holder blocked = grantLocked();
        if (blocked != null) {
            if (!HolderFlags.isTry(blocked.flags())) {
                failTryWaitersLocked();
            }
            return beginLocked(blocked.state(), blocked);
        }
        if (freeRequested && holders.isEmpty() && pins == 0 && state == GlockState.UN) {
            freed = true;
            if (lockId == 0) {
                manager.freedLocked(this);
                return null;
            }
            busy = true;
            dlmInFlight = true;
            return new Step(Kind.UNLOCK, state, GlockState.UN, lvb == null ? 0 : LockFlags.VALBLK, lockId,
                    lvb == null ? null : lvb.clone());
        }
        return null;
    }

    /**
     * Grants what the cached state allows and tells whether {@link #planLocked} would find a state
     * change to make (so a kick on the worker is worth scheduling).
     */
    private boolean needsWorkLocked() {
        if (busy || freed) {
            return false;
        }
        if (demoteState != null && !stateExceeds(state, demoteState)) {
            clearDemoteLocked();
        }
        if (demoteState != null && demoteActiveLocked()) {
            return firstGrantedLocked() == null;
        }
        if (grantLocked() != null) {
            return true;
        }
        return freeRequested && holders.isEmpty() && pins == 0;
    }

    private Step beginLocked(GlockState to, Holder forHolder) {
        busy = true;
        target = to;
        GlockState from = state;
        int f = 0;
        if (lvb != null) {
            f |= LockFlags.VALBLK;
        }
        boolean isTry = false;
        if (forHolder != null) {
            int hf = forHolder.flags();
            if ((hf & HolderFlags.TRY_1CB) != 0) {
                f |= LockFlags.NOQUEUE | LockFlags.NOQUEUEBAST;
                isTry = true;
            } else if ((hf & HolderFlags.TRY) != 0) {
                f |= LockFlags.NOQUEUE;
                isTry = true;
            }
            if ((hf & HolderFlags.ANY) != 0) {
                if (to == GlockState.SH) {
                    f |= LockFlags.ALTCW;
                } else if (to == GlockState.DF) {
                    f |= LockFlags.ALTPR;
                }
            }
            if ((hf & HolderFlags.PRIORITY) != 0) {
                f |= LockFlags.NOORDER | LockFlags.HEADQUE;
            }
        }
        if (lockId != 0 && !(to == GlockState.UN || from == GlockState.EX || isTry)) {
            f |= LockFlags.QUECVT;
        }
        invalidating = from != GlockState.UN && (to == GlockState.UN || to == GlockState.DF);
        return new Step(Kind.XMOTE, from, to, f, lockId, null);
    }

    /** Runs a planned step without the monitor. */
    private void run(Step step) {
        if (step == null) {
            return;
        }
        if (step.kind() == Kind.UNLOCK) {
            callDlm(() -> manager.lockspace().unlock(step.lockId(), step.dlmFlags(), step.lvb()), step);
            return;
        }
        GlockState from = step.from();
        GlockState to = step.to();
        try {
            if (from == GlockState.EX && to != GlockState.EX) {
                synchronized (this) {
                    syncing = true;
                }
                try {
                    ops.sync(this, to);
                } finally {
                    awaitWritebackHolders();
                }
            }
            if (from != GlockState.UN && (to == GlockState.UN || to == GlockState.DF)) {
                ops.invalidate(this, to);
            }
        } catch (IOException | RuntimeException e) {
            // Giving the lock up now could let another node see stale blocks: keep it, report.
            syncFailed(step, e);
            return;
        }
        byte[] value;
        synchronized (this) {
            if (invalidating && to == GlockState.UN) {
                refreshNeeded = true; // metadata was dropped: re-read it on the next grant
            }
            invalidating = false;
            value = lvb == null ? null : lvb.clone();
            if (step.lockId() == 0 && to == GlockState.UN) {
                // no DLM lock yet and nothing to give up
                busy = false;
                state = GlockState.UN;
                target = null;
                clearDemoteLocked();
                boolean more = needsWorkLocked();
                notifyAll();
                if (more) {
                    manager.scheduler().execute(this::kick);
                }
                return;
            }
            dlmInFlight = true;
        }
        if (step.lockId() == 0) {
            int flags = step.dlmFlags() & ~LockFlags.QUECVT;
            int[] id = new int[1];
            if (callDlm(() -> id[0] = manager.lockspace().lock(resource, to.dlmMode, flags, callbacks), step)) {
                synchronized (this) {
                    if (dlmInFlight && lockId == 0) {
                        lockId = id[0];
                    }
                }
            }
        } else {
            callDlm(() -> manager.lockspace().convert(step.lockId(), to.dlmMode, step.dlmFlags(), value), step);
        }
    }

    /** Ends the sync phase: no new WRITEBACK grants, and the ones granted during it are finished. */
    private void awaitWritebackHolders() {
        boolean interrupted = false;
        synchronized (this) {
            syncing = false;
            while (firstGrantedLocked() != null) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean callDlm(Runnable call, Step step) {
        try {
            call.run();
            return true;
        } catch (DlmException e) {
            LOG.error("glock {}: DLM refused {} {} -> {}: {}", name, step.kind(), step.from(), step.to(), e.getMessage());
            synchronized (this) {
                busy = false;
                dlmInFlight = false;
                if (step.kind() == Kind.UNLOCK) {
                    freed = false;
                }
                GlockException ge = new GlockException("glock " + name + ": lock manager refused the request: "
                        + e.getMessage(), e);
                failWaitersLocked(ge);
                if (demoteState != null && step.to() == demoteState) {
                    clearDemoteLocked();
                }
                notifyAll();
            }
            return false;
        }
    }

    private void syncFailed(Step step, Exception e) {
        LOG.error("glock {}: write-back before demote {} -> {} failed; keeping the lock: {}", name, step.from(),
                step.to(), e.toString());
        synchronized (this) {
            busy = false;
            invalidating = false;
            clearDemoteLocked();
            failWaitersLocked(new GlockException("glock " + name + ": write-back before demote failed: " + e, e));
            if (manager.isClosing()) {
                // Unmount cannot write it back: abandon the glock with its DLM lock still held, so no
                // other node reads stale blocks before this node's journal is recovered.
                LOG.error("glock {}: abandoned at unmount with its DLM lock held; journal recovery needed", name);
                freed = true;
                manager.freedLocked(this);
            }
            notifyAll();
        }
        manager.syncFailed(this, e);
    }

    private void onCompletion(Completion c) {
        boolean more;
        synchronized (this) {
            if (c.status() == DlmStatus.EUNLOCK) {
                dlmInFlight = false;
                busy = false;
                lockId = 0;
                state = GlockState.UN;
                manager.freedLocked(this);
                notifyAll();
                return;
            }
            if (c.isGranted() && manager.locksBlocked() && target != GlockState.UN && !firstWaiterHasNoexpLocked()) {
                parked = c; // journal recovery: hold the grant back (spec 4.12)
                manager.parked(this);
                return;
            }
            applyReplyLocked(c);
            more = needsWorkLocked();
            notifyAll();
        }
        manager.stateChanged();
        if (more) {
            manager.scheduler().execute(this::kick);
        }
    }

    /** Delivers a grant held back during journal recovery. */
    void unpark() {
        boolean more;
        synchronized (this) {
            Completion c = parked;
            if (c == null) {
                return;
            }
            parked = null;
            applyReplyLocked(c);
            more = needsWorkLocked();
            notifyAll();
        }
        if (more) {
            manager.scheduler().execute(this::kick);
        }
    }

    private void applyReplyLocked(Completion c) {
        dlmInFlight = false;
        busy = false;
        long now = manager.scheduler().nanoTime();
        if (c.isGranted()) {
            lockId = c.lockId();
            GlockState old = state;
            GlockState got = GlockState.ofDlmMode(c.mode());
            if (lvb != null && c.lvb() != null) {
                if (c.valueInvalid()) {
                    Arrays.fill(lvb, (byte) 0); // magic fails: the next user rebuilds it from disk
                } else {
                    System.arraycopy(c.lvb(), 0, lvb, 0, Math.min(lvb.length, c.lvb().length));
                }
            }
            if (got != target) {
                holdTime = Math.max(manager.config().holdTimeMinNanos(),
                        holdTime - manager.config().holdTimeShrinkNanos());
            }
            state = got;
            lastChange = now;
            if (isUp(old, got)) {
                promotions++;
            } else {
                demotions++;
            }
            if (demoteState != null && !stateExceeds(state, demoteState)) {
                clearDemoteLocked();
            }
            if (state != GlockState.UN) {
                // Like GFS2: the holders that asked for this grant get it even if a demote request
                // arrived meanwhile, so a node always makes progress before giving the lock up.
                target = null;
                grantLocked();
            }
        } else if (c.status() == DlmStatus.EAGAIN) {
            if (c.mode() == null) {
                lockId = 0;
            }
            Holder first = firstWaiterLocked();
            if (first != null && HolderFlags.isTry(first.flags())) {
                failLocked(first, new GlockTryFailedException(name, first.state()));
            }
            failTryWaitersLocked();
        } else if (c.status() == DlmStatus.EDEADLK) {
            // conversion deadlock: drop to UN and ask again (spec 1.4 implication)
            requestDemoteLocked(GlockState.UN, false);
        } else if (c.status() == DlmStatus.ECANCEL) {
            if (c.mode() == null) {
                lockId = 0;
            }
        } else {
            if (c.mode() == null && state == GlockState.UN) {
                lockId = 0;
            }
            failWaitersLocked(new GlockException("glock " + name + ": lock manager answered "
                    + DlmStatus.name(c.status())));
        }
        target = null;
    }

    private static boolean isUp(GlockState from, GlockState to) {
        return from == GlockState.UN || to == GlockState.EX && from != GlockState.EX;
    }

    /** Whether holding {@code s} is more than a demote to {@code d} allows (so it is still needed). */
    private static boolean stateExceeds(GlockState s, GlockState d) {
        return s != d && s != GlockState.UN;
    }

    // ---------------------------------------------------------------- local grants

    /**
     * Grants waiters compatible with the cached state, in order. Returns the first waiter if it
     * heads the queue (nothing granted) and needs a state change; null otherwise.
     */
    private Holder grantLocked() {
        Holder current = firstGrantedLocked();
        for (Holder h : holders) {
            if (h.status != Holder.Status.WAITING) {
                continue;
            }
            if (mayGrantLocked(current, h)) {
                grantHolderLocked(h);
                if (current == null) {
                    current = h;
                }
                continue;
            }
            if (current == null) {
                return h;
            }
            failTryWaitersLocked();
            return null;
        }
        return null;
    }

    private void grantHolderLocked(Holder h) {
        h.status = Holder.Status.GRANTED;
        long waited = manager.scheduler().nanoTime() - h.enqueuedAt;
        if (waited > LONG_WAIT_NANOS) {
            holdTime = Math.min(manager.config().holdTimeMaxNanos(), holdTime + manager.config().holdTimeGrowNanos());
        }
        notifyAll();
    }

    /** GFS2's local compatibility rule (spec 4.4). */
    private boolean mayGrantLocked(Holder current, Holder h) {
        if (h.status == Holder.Status.FAILED) {
            return false;
        }
        if (current != null) {
            if (current.state() == GlockState.EX) {
                return false;
            }
            return h.state() == current.state();
        }
        if (state == h.state()) {
            return true;
        }
        if ((h.flags() & HolderFlags.EXACT) != 0) {
            return false;
        }
        if (state == GlockState.EX) {
            return h.state() == GlockState.SH || h.state() == GlockState.DF;
        }
        if ((h.flags() & HolderFlags.ANY) != 0) {
            return state != GlockState.UN;
        }
        return false;
    }

    private Holder firstGrantedLocked() {
        for (Holder h : holders) {
            if (h.status == Holder.Status.GRANTED) {
                return h;
            }
        }
        return null;
    }

    private Holder firstWaiterLocked() {
        for (Holder h : holders) {
            if (h.status == Holder.Status.WAITING) {
                return h;
            }
        }
        return null;
    }

    private int firstWaiterIndexLocked() {
        int i = 0;
        for (Holder h : holders) {
            if (h.status != Holder.Status.GRANTED) {
                return i;
            }
            i++;
        }
        return i;
    }

    private boolean firstWaiterHasNoexpLocked() {
        Holder h = firstWaiterLocked();
        return h != null && (h.flags() & HolderFlags.NOEXP) != 0;
    }

    private void failTryWaitersLocked() {
        for (Iterator<Holder> it = holders.iterator(); it.hasNext(); ) {
            Holder h = it.next();
            if (h.status == Holder.Status.WAITING && HolderFlags.isTry(h.flags())) {
                it.remove();
                h.status = Holder.Status.FAILED;
                h.failure = new GlockTryFailedException(name, h.state());
                manager.lockOrder().released(h);
            }
        }
        notifyAll();
    }

    private void failWaitersLocked(GlockException e) {
        for (Iterator<Holder> it = holders.iterator(); it.hasNext(); ) {
            Holder h = it.next();
            if (h.status == Holder.Status.WAITING) {
                it.remove();
                h.status = Holder.Status.FAILED;
                h.failure = e;
                manager.lockOrder().released(h);
            }
        }
        notifyAll();
    }

    private void failLocked(Holder h, GlockException e) {
        holders.remove(h);
        h.status = Holder.Status.FAILED;
        h.failure = e;
        manager.lockOrder().released(h);
        notifyAll();
    }

    private boolean isIdleLocked() {
        return holders.isEmpty() && pins == 0 && !freed && name.type().lruEligible;
    }

    // ---------------------------------------------------------------- shutdown

    /**
     * Shutdown: fails waiters, drops granted holders (with a warning), and asks for UN and free.
     * Returns the id of a lock whose request is still in flight (close() cancels it), else 0.
     */
    int prepareShutdown() {
        synchronized (this) {
            failWaitersLocked(new GlockException("glock manager for " + manager.lockspace().name() + " shut down"));
            for (Holder h : holders) {
                LOG.warn("glock {}: holder still granted at shutdown, released: {}", name, h);
                h.status = Holder.Status.RELEASED;
                manager.lockOrder().released(h);
            }
            holders.clear();
            pins = 0;
            requestFree(true);
            demoteNotBefore = 0;
            return dlmInFlight && !freed ? lockId : 0;
        }
    }

    /** A kernel-style one-glock dump: a G: line and one H: line per holder. */
    public synchronized String dump() {
        StringBuilder b = new StringBuilder();
        b.append("G: s:").append(state).append(" n:").append(name).append(" f:");
        if (busy) b.append('l');
        if (syncing) b.append('w');
        if (dlmInFlight) b.append('r');
        if (demoteState != null) b.append(demoteActiveLocked() ? 'D' : 'd');
        if (invalidating) b.append('i');
        if (freeRequested) b.append('F');
        if (parked != null) b.append('f');
        if (refreshNeeded) b.append('I');
        b.append(" t:").append(target == null ? state : target);
        b.append(" d:").append(demoteState == null ? "-" : demoteState.toString());
        b.append(" l:").append(lockId).append(" a:").append(holders.size()).append(" p:").append(pins);
        b.append(" v:").append(promotions).append('/').append(demotions).append(" b:").append(blockingCallbacks);
        if (lvb != null) {
            b.append(" lvb:").append(hexPrefix(lvb));
        }
        b.append('\n');
        for (Holder h : holders) {
            b.append(' ').append(h).append('\n');
        }
        return b.toString();
    }

    private static String hexPrefix(byte[] v) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(16, v.length); i++) {
            s.append(String.format("%02x", v[i] & 0xff));
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return "glock " + name;
    }
}
