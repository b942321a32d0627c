package org.gfs2j.fs.glock;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.gfs2j.dlm.Lockspace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The glocks of one mount, on one {@link Lockspace} (a real cluster lockspace, or an in-process one
 * for single-node mounts and tests). It owns the registry (glocks are created on first use and
 * cached; unused ones of LRU-eligible types sit on an LRU from which they are demoted and freed),
 * the demote worker ({@link GlockScheduler}), the journal-recovery hold-back, and shutdown.
 *
 * <p>Locking: each glock serializes its own state changes (its monitor plus a busy flag); this
 * manager's monitor guards only the registry and the LRU. A glock's monitor may be held while
 * taking the manager's, never the reverse.
 */
public final class GlockManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GlockManager.class);

    private final Lockspace lockspace;
    private final GlockOperationsTable operations;
    private final GlockScheduler scheduler;
    private final GlockConfig config;
    private final LockOrder lockOrder;
    private final Map<GlockName, Glock> registry = new HashMap<>();
    private final LinkedHashMap<GlockName, Glock> lru = new LinkedHashMap<>();
    private final Set<Glock> parked = new LinkedHashSet<>();
    /** Glocks whose in-flight request close() has cancelled (once each). */
    private final Set<GlockName> cancelled = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private boolean locksBlocked;
    private boolean closed;
    /** Bumped on every DLM completion; close() waits for it to move. */
    private long changes;
    private volatile BiConsumer<Glock, Exception> withdrawHandler =
            (g, e) -> LOG.error("glock {}: write-back failed; the node should withdraw: {}", g.name(), e.toString());

    public GlockManager(Lockspace lockspace, GlockOperationsTable operations, GlockScheduler scheduler,
                        GlockConfig config) {
        this.lockspace = lockspace;
        this.operations = operations;
        this.scheduler = scheduler;
        this.config = config;
        this.lockOrder = new LockOrder(config.checkLockOrder());
    }

    public Lockspace lockspace() {
        return lockspace;
    }

    public GlockScheduler scheduler() {
        return scheduler;
    }

    public GlockConfig config() {
        return config;
    }

    int lvbLength() {
        return lockspace.lvbLength();
    }

    LockOrder lockOrder() {
        return lockOrder;
    }

    /** Called when a sync before a demote failed: the glock keeps its lock; the file system should withdraw. */
    public void onWriteBackFailure(BiConsumer<Glock, Exception> handler) {
        this.withdrawHandler = handler;
    }

    // ---------------------------------------------------------------- acquiring

    /** Queues a holder without waiting; {@link Holder#await} waits for it. */
    public Holder enqueue(GlockName name, GlockState state, int flags) throws GlockException {
        if (state == null || state == GlockState.UN) {
            throw new IllegalArgumentException("a holder asks for SH, DF or EX, not " + state);
        }
        if ((flags & ~HolderFlags.ALL) != 0) {
            throw new IllegalArgumentException("unknown holder flags 0x" + Integer.toHexString(flags & ~HolderFlags.ALL));
        }
        lockOrder.check(name, flags);
        while (true) {
            Glock g = lookup(name, (flags & HolderFlags.WRITEBACK) != 0);
            Holder h = g.enqueue(state, flags);
            if (h != null) {
                if (!h.isFailed()) {
                    lockOrder.track(h);
                }
                return h;
            }
            // freed between lookup and enqueue: a fresh glock replaces it
        }
    }

    /** Acquires a glock, waiting for the grant (and the object's refresh). */
    public Holder acquire(GlockName name, GlockState state, int flags) throws GlockException {
        return enqueue(name, state, flags).await();
    }

    public Holder acquire(GlockName name, GlockState state) throws GlockException {
        return acquire(name, state, 0);
    }

    /**
     * Acquires several glocks without deadlocking against other nodes doing the same: sorted by
     * (type, number), duplicates merged (the strongest state wins). Use it for same-level inodes
     * (rename's directories and victims, link), rgrps, quota ids. If one cannot be had (try lock)
     * the ones already taken are released.
     */
    public HolderSet acquireOrdered(Collection<GlockRequest> requests) throws GlockException {
        TreeMap<GlockName, GlockRequest> sorted = new TreeMap<>();
        for (GlockRequest r : requests) {
            sorted.merge(r.name(), r, (a, b) -> new GlockRequest(a.name(), stronger(a.state(), b.state()),
                    a.flags() | b.flags()));
        }
        List<Holder> taken = new ArrayList<>();
        try {
            for (GlockRequest r : sorted.values()) {
                taken.add(acquire(r.name(), r.state(), r.flags()));
            }
        } catch (GlockException | RuntimeException e) {
            for (int i = taken.size() - 1; i >= 0; i--) {
                taken.get(i).close();
            }
            throw e;
        }
        return new HolderSet(taken);
    }

    /** Same state and flags for every name (e.g. the inodes of a rename, all EX). */
    public HolderSet acquireOrdered(GlockState state, int flags, Collection<GlockName> names) throws GlockException {
        List<GlockRequest> rs = new ArrayList<>();
        for (GlockName n : names) {
            rs.add(new GlockRequest(n, state, flags));
        }
        return acquireOrdered(rs);
    }

    private static GlockState stronger(GlockState a, GlockState b) {
        if (a == b) {
            return a;
        }
        return GlockState.EX; // SH+DF, or anything with EX
    }

    /**
     * The glock for {@code name}, pinned: it will not be freed by the LRU until {@link Glock#unpin}.
     * In-core objects (inodes, rgrps) pin their glocks and attach themselves.
     */
    public Glock pin(GlockName name) throws GlockException {
        while (true) {
            Glock g = lookup(name);
            synchronized (g) {
                if (!g.isFreed()) {
                    g.pinLocked();
                    noLongerIdleLocked(g);
                    return g;
                }
            }
        }
    }

    /** The cached glock for {@code name}, or null. */
    public synchronized Glock find(GlockName name) {
        return registry.get(name);
    }

    /** Number of glocks cached. */
    public synchronized int size() {
        return registry.size();
    }

    /** Number of unused glocks on the LRU. */
    public synchronized int lruSize() {
        return lru.size();
    }

    private synchronized Glock lookup(GlockName name) throws GlockException {
        return lookup(name, false);
    }

    /** {@code writeBack}: the kernel flushing pages during the unmount's own sync is still served. */
    private synchronized Glock lookup(GlockName name, boolean writeBack) throws GlockException {
        Glock existing = registry.get(name);
        if (closed && writeBack && existing != null) {
            return existing;
        }
        if (closed) {
            throw new GlockException("glock manager for " + lockspace.name() + " is shut down");
        }
        return registry.computeIfAbsent(name, n -> new Glock(this, n, operations.forType(n.type())));
    }

    // ---------------------------------------------------------------- demotes

    /**
     * Test/admin hook: demote {@code name} to {@code target} as if another node had asked (no
     * minimum hold time), once its granted holders are released. The demote runs on the worker.
     * Returns false if the glock is not cached.
     */
    public boolean forceDemote(GlockName name, GlockState target) {
        Glock g = find(name);
        if (g == null) {
            return false;
        }
        g.forceDemote(target);
        return true;
    }

    /**
     * Frees unused glocks from the LRU, oldest first, until at most {@code keep} remain: each is
     * demoted to UN (sync, invalidate) and its DLM lock unlocked, on the worker. Returns how many
     * were asked to go.
     */
    public int shrink(int keep) {
        List<Glock> victims = new ArrayList<>();
        synchronized (this) {
            Iterator<Glock> it = lru.values().iterator();
            while (lru.size() - victims.size() > keep && it.hasNext()) {
                victims.add(it.next());
            }
        }
        int n = 0;
        for (Glock g : victims) {
            if (g.requestFree(false)) {
                synchronized (this) {
                    lru.remove(g.name());
                }
                scheduler.execute(g::kick);
                n++;
            }
        }
        return n;
    }

    void trimLru() {
        int limit = config.lruLimit();
        if (limit > 0 && !config.singleNode()) {
            boolean over;
            synchronized (this) {
                over = lru.size() > limit;
            }
            if (over) {
                shrink(limit);
            }
        }
    }

    synchronized void becameIdleLocked(Glock g) {
        if (!closed && registry.get(g.name()) == g) {
            lru.remove(g.name());
            lru.put(g.name(), g);
        }
    }

    synchronized void noLongerIdleLocked(Glock g) {
        lru.remove(g.name(), g);
    }

    synchronized void freedLocked(Glock g) {
        registry.remove(g.name(), g);
        lru.remove(g.name(), g);
        changes++;
        notifyAll();
    }

    synchronized void stateChanged() {
        changes++;
        notifyAll();
    }

    void syncFailed(Glock g, Exception e) {
        withdrawHandler.accept(g, e);
    }

    // ---------------------------------------------------------------- journal recovery (spec 4.12)

    /**
     * From now on, DLM grants are held back ("frozen") unless the waiting holder has
     * {@link HolderFlags#NOEXP} or the request was a demotion to UN. Call on recover_prep.
     */
    public synchronized void blockLocks() {
        locksBlocked = true;
    }

    /** All journals are recovered: deliver the grants held back. */
    public void unblockLocks() {
        List<Glock> toDeliver;
        synchronized (this) {
            locksBlocked = false;
            toDeliver = new ArrayList<>(parked);
            parked.clear();
        }
        for (Glock g : toDeliver) {
            g.unpark();
        }
    }

    synchronized boolean isClosing() {
        return closed;
    }

    synchronized boolean locksBlocked() {
        return locksBlocked;
    }

    synchronized void parked(Glock g) {
        parked.add(g);
    }

    // ---------------------------------------------------------------- diagnostics, shutdown

    private String dumpLocked() {
        StringBuilder b = new StringBuilder();
        for (GlockName n : new TreeSet<>(registry.keySet())) {
            b.append("G: n:").append(n).append('\n');
        }
        return b.toString();
    }

    /** All cached glocks, by name, in the kernel's dump style (G: and H: lines). */
    public String dump() {
        List<Glock> all;
        synchronized (this) {
            all = new ArrayList<>(registry.values());
        }
        all.sort((a, b) -> a.name().compareTo(b.name()));
        StringBuilder b = new StringBuilder();
        for (Glock g : all) {
            b.append(g.dump());
        }
        return b.toString();
    }

    /**
     * Unmount: fails waiting holders, releases granted ones (a warning each: the caller should have
     * released them), writes back and invalidates every glock, and unlocks every DLM lock, in this
     * thread. Waits until the lock manager has confirmed every unlock.
     */
    @Override
    public void close() {
        boolean interrupted = false;
        try {
            while (true) {
                long before;
                synchronized (this) {
                    before = changes;
                }
                if (closeStep()) {
                    return;
                }
                synchronized (this) {
                    // wait for a DLM completion unless one arrived during this pass
                    while (changes == before && !registry.isEmpty()) {
                        try {
                            wait(1000);
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                        if (changes == before) {
                            LOG.info("unmount of {}: still waiting for the lock manager:\n{}", lockspace.name(),
                                    dumpLocked());
                        }
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One non-blocking pass of {@link #close}: stops new acquisitions, fails waiters, starts the
     * demote/unlock of every glock not yet on its way. Returns true once every DLM lock is released.
     * For callers that must keep feeding the lock manager themselves (an event loop, a simulation).
     */
    public boolean closeStep() {
        List<Glock> remaining;
        synchronized (this) {
            if (!closed) {
                closed = true;
                lru.clear();
            }
            if (locksBlocked) {
                locksBlocked = false;
            }
            remaining = new ArrayList<>(registry.values());
        }
        unblockLocks();
        for (Glock g : remaining) {
            int inFlight = g.prepareShutdown();
            if (inFlight != 0 && cancelled.add(g.name())) {
                try {
                    lockspace.cancel(inFlight);
                } catch (RuntimeException e) {
                    LOG.warn("unmount: cancelling the request in flight for {} failed: {}", g.name(), e.toString());
                }
            }
            g.kick();
        }
        synchronized (this) {
            return registry.isEmpty();
        }
    }
}
