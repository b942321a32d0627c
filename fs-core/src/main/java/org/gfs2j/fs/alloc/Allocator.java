package org.gfs2j.fs.alloc;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.gfs2j.fs.cache.BufferCache;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.glock.Glock;
import org.gfs2j.fs.glock.GlockManager;
import org.gfs2j.fs.glock.GlockState;
import org.gfs2j.fs.glock.GlockTryFailedException;
import org.gfs2j.fs.glock.Holder;
import org.gfs2j.fs.glock.HolderFlags;
import org.gfs2j.fs.ondisk.Inum;
import org.gfs2j.fs.ondisk.RgrpBitmap;
import org.gfs2j.journal.log.FlushReason;
import org.gfs2j.journal.log.JournalLog;

/**
 * Block and dinode allocation over the resource groups (docs/allocation.md).
 *
 * <p>Every change happens inside an {@link FsTransaction}: the rgrp glocks are taken in EX
 * (ascending order; an rgrp below one already held is only tried, and skipped if busy) and held
 * until the transaction ends; the changed header (rg_free, rg_dinodes, rg_igeneration, rg_crc)
 * and bitmap blocks are logged; the statfs deltas go to this node's statfs_changeN in the same
 * transaction; the rgrp glock's value block is updated at commit. A request that does not fit
 * throws {@link NoSpaceException} before anything is changed.
 *
 * <p>Freed blocks are not allocated again until the log has made the freeing transaction durable
 * ({@link FreedBlocks}; the kernel's clone bitmap), so freeing transactions may commit without
 * waiting for the log. An allocation that finds only such blocks flushes the log and retries
 * before answering {@link NoSpaceException}. Statfs counts them as free.
 *
 * <p>Journal space: a transaction should reserve, per rgrp it may touch, the rgrp's header
 * blocks ({@code ri_length}) plus one block for statfs_changeN ({@link #logBlocksFor}).
 */
public final class Allocator {
    private final ResourceGroupSet rgrps;
    private final BufferCache cache;
    private final GlockManager glocks;
    private final StatfsAccount statfs;
    private final AtomicInteger rotor = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong freeFlushes = new java.util.concurrent.atomic.AtomicLong();

    public Allocator(ResourceGroupSet rgrps, BufferCache cache, GlockManager glocks, StatfsAccount statfs) {
        this.rgrps = rgrps;
        this.cache = cache;
        this.glocks = glocks;
        this.statfs = statfs;
    }

    public ResourceGroupSet resourceGroups() {
        return rgrps;
    }

    public StatfsAccount statfs() {
        return statfs;
    }

    /** Worst-case metadata blocks a transaction logs when it changes {@code rgrpCount} rgrps (+ statfs_changeN). */
    public int logBlocksFor(int rgrpCount) {
        long max = 0;
        for (Rgrp r : rgrps.all()) {
            max = Math.max(max, r.index().length());
        }
        return (int) Math.min(Integer.MAX_VALUE / 2, max * Math.min(rgrpCount, rgrps.size()) + 1);
    }

    // ---------------------------------------------------------------- rgrp locking

    /** The rgrps this transaction holds (its own locks, or ones taken before it began). */
    private Held held(FsTransaction tx) {
        return tx.attachment(this, () -> {
            Held h = new Held(new RgrpLocks());
            tx.onAbort(() -> {
                h.discardFrees();
                h.allRgrps().forEach(Rgrp::drop);
            });
            tx.beforeCommit(t -> h.writeValueBlocks());
            tx.onEnd(() -> {
                // after the journal commit (the ticket is at most the newest one), before any lock is released
                h.sealFrees(lastTicket());
                h.own.close();
            });
            return h;
        });
    }

    /** The locks a transaction uses: those it took itself ({@code own}) and borrowed ones. */
    private static final class Held {
        final RgrpLocks own;
        final List<RgrpLocks> borrowed = new ArrayList<>();
        /** This transaction's frees per rgrp, not allocatable until it is durable. */
        final java.util.Map<Rgrp, FreedBlocks.Batch> frees = new java.util.LinkedHashMap<>();

        Held(RgrpLocks own) {
            this.own = own;
        }

        FreedBlocks.Batch freesIn(Rgrp rg) {
            return frees.computeIfAbsent(rg, Rgrp::openFreeBatch);
        }

        void discardFrees() {
            frees.forEach(Rgrp::discardFreeBatch);
            frees.clear();
        }

        void sealFrees(long ticket) {
            frees.forEach((rg, batch) -> rg.sealFreeBatch(batch, ticket));
            frees.clear();
        }

        Rgrp find(long addr) {
            Rgrp r = own.rgrps.get(addr);
            for (int i = 0; r == null && i < borrowed.size(); i++) {
                r = borrowed.get(i).rgrps.get(addr);
            }
            return r;
        }

        long highest() {
            long max = own.rgrps.isEmpty() ? -1 : own.rgrps.lastKey();
            for (RgrpLocks b : borrowed) {
                if (!b.rgrps.isEmpty()) {
                    max = Math.max(max, b.rgrps.lastKey());
                }
            }
            return max;
        }

        List<Rgrp> allRgrps() {
            List<Rgrp> out = new ArrayList<>(own.rgrps.values());
            borrowed.forEach(b -> out.addAll(b.rgrps.values()));
            return out;
        }

        void writeValueBlocks() {
            write(own);
            borrowed.forEach(Held::write);
        }

        private static void write(RgrpLocks l) {
            for (var e : l.rgrps.entrySet()) {
                if (e.getValue().isLoaded()) {
                    l.holders.get(e.getKey()).writeValueBlock(e.getValue().lvb().encode());
                }
            }
        }
    }

    /**
     * Lets {@code tx} use rgrp glocks taken before it began ({@link #reserveRgrps},
     * {@link #lockRgrpsForFree}). The caller closes {@code locks} after the transaction ends.
     */
    public void use(FsTransaction tx, RgrpLocks locks) {
        if (locks.isClosed()) {
            throw new IllegalStateException("rgrp locks already released");
        }
        held(tx).borrowed.add(locks);
    }

    /**
     * Before a transaction: takes rgrp glocks in EX, from the goal's rgrp on (a lower one only with
     * a try lock), until their free blocks cover {@code blocks}; the kernel's inplace_reserve.
     * Allocations in a transaction that {@link #use}s them wait for no further glock.
     *
     * @throws NoSpaceException when all rgrps together do not have {@code blocks} free (nothing held)
     */
    public RgrpLocks reserveRgrps(long goal, long blocks) throws IOException {
        RgrpLocks locks = new RgrpLocks();
        try {
            for (int attempt = 0; ; attempt++) {
                long available = 0;
                long flushable = 0;
                for (int i : scanOrder(rgrpIndexFor(goal))) {
                    Rgrp rg = rgrps.get(i);
                    if (!rg.allocatable()) {
                        continue;
                    }
                    if (locks.rgrps.get(rg.addr()) == null) {
                        boolean outOfOrder = !locks.rgrps.isEmpty() && locks.rgrps.lastKey() > rg.addr();
                        if (!take(locks, rg, outOfOrder) || !rg.allocatable()) {
                            continue;
                        }
                    }
                    long a = rg.available(null);
                    available += Math.max(0, a);
                    flushable += rg.flushableFree();
                    if (available >= blocks) {
                        return locks;
                    }
                }
                if (attempt > 0 || available + flushable < blocks) {
                    throw new NoSpaceException(blocks, available);
                }
                makeFreesDurable(locks.rgrps.values());
            }
        } catch (IOException | RuntimeException e) {
            locks.close();
            throw e;
        }
    }

    /** Before a transaction that frees {@code blocks}: their rgrps' glocks in EX, ascending. */
    public RgrpLocks lockRgrpsForFree(Collection<Long> blocks) throws IOException {
        RgrpLocks locks = new RgrpLocks();
        try {
            for (int i : rgrpIndexes(blocks)) {
                take(locks, rgrps.get(i), false);
            }
            return locks;
        } catch (IOException | RuntimeException e) {
            locks.close();
            throw e;
        }
    }

    private java.util.TreeSet<Integer> rgrpIndexes(Collection<Long> blocks) {
        java.util.TreeSet<Integer> idx = new java.util.TreeSet<>();
        for (long b : blocks) {
            int i = rgrps.indexOf(b);
            if (i < 0) {
                throw new IllegalArgumentException("block " + b + " is not in the data area of any resource group");
            }
            idx.add(i);
        }
        return idx;
    }

    /** Acquires {@code rg}'s glock in EX into {@code locks} and loads the rgrp; false if a try lock failed. */
    private boolean take(RgrpLocks locks, Rgrp rg, boolean tryOnly) throws IOException {
        Holder h;
        try {
            h = glocks.acquire(rg.glockName(), GlockState.EX, tryOnly ? HolderFlags.TRY : 0);
        } catch (GlockTryFailedException e) {
            return false;
        }
        try {
            Glock g = h.glock();
            if (g.attachment() != rg) {
                // first use of this glock object: anything cached in the rgrp predates it
                g.attach(rg);
                rg.drop();
            }
            rg.ensureLoaded(cache);
            rg.releaseDurable(durableTicket());
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
        locks.rgrps.put(rg.addr(), rg);
        locks.holders.put(rg.addr(), h);
        return true;
    }

    /**
     * Makes {@code rg} usable in {@code tx}: already held (by the transaction or locks it uses), or
     * acquired now. Acquiring inside a transaction is the fallback for callers that did not lock
     * beforehand: below an rgrp already held only a try lock is allowed (false if it fails and
     * {@code skippable}); otherwise it waits, which docs/lock-order.md (row 6) discourages.
     */
    private boolean lock(FsTransaction tx, Rgrp rg, boolean skippable) throws IOException {
        Held held = held(tx);
        if (held.find(rg.addr()) != null) {
            return true;
        }
        boolean outOfOrder = held.highest() > rg.addr();
        return take(held.own, rg, outOfOrder && skippable);
    }

    private void changed(FsTransaction tx, Rgrp rg) throws IOException {
        rg.writeOut(tx);
    }

    // ---------------------------------------------------------------- frees waiting for the log

    private long durableTicket() {
        JournalLog log = cache.log();
        return log == null ? Long.MAX_VALUE - 1 : log.durableTicket();
    }

    private long lastTicket() {
        JournalLog log = cache.log();
        return log == null ? 0 : log.lastTicket();
    }

    /**
     * Only blocks freed by transactions the log has not made durable are left: flush the log (the
     * kernel's inplace_reserve does the same) and make them allocatable in {@code held}.
     */
    private void makeFreesDurable(Collection<Rgrp> held) throws IOException {
        JournalLog log = cache.log();
        if (log == null) {
            return;
        }
        freeFlushes.incrementAndGet();
        log.flush(FlushReason.EXPLICIT);
        long durable = log.durableTicket();
        for (Rgrp rg : held) {
            rg.releaseDurable(durable);
        }
    }

    /** Log flushes an allocation forced because only not-yet-durable freed blocks were left. */
    public long freeFlushCount() {
        return freeFlushes.get();
    }

    /** The rgrp indexes to try, starting with the one holding {@code goal} (or 0), wrapping. */
    private int[] scanOrder(int first) {
        int n = rgrps.size();
        int[] order = new int[n];
        for (int k = 0; k < n; k++) {
            order[k] = (first + k) % n;
        }
        return order;
    }

    private int rgrpIndexFor(long goal) {
        int i = rgrps.indexOf(goal);
        return i < 0 ? 0 : i;
    }

    // ---------------------------------------------------------------- reservations

    /**
     * Reserves up to {@code blocks} contiguous free blocks for one file, near {@code goal}: the first
     * run of that length in the goal's rgrp or the next ones, else the longest run found. Returns
     * null when no rgrp has a free block. The reservation lives in memory only; allocate from it
     * with {@link #allocate(FsTransaction, Reservation, int)} and {@link #release} it when done.
     */
    public Reservation reserve(FsTransaction tx, long goal, int blocks) throws IOException {
        if (blocks < 1) {
            throw new IllegalArgumentException("reserve at least one block");
        }
        Rgrp bestRg = null;
        long[] best = {-1, 0};
        for (int i : scanOrder(rgrpIndexFor(goal))) {
            Rgrp rg = rgrps.get(i);
            if (!rg.allocatable() || !lock(tx, rg, true) || !rg.allocatable()) {
                continue;
            }
            long[] run = rg.bestRun(rg.containsData(goal) ? goal : rg.index().data0(), blocks, null);
            if (run[1] > best[1]) {
                best = run;
                bestRg = rg;
                if (run[1] >= blocks) {
                    break;
                }
            }
        }
        if (bestRg == null) {
            return null;
        }
        Reservation r = new Reservation(bestRg, best[0], best[1]);
        synchronized (bestRg) {
            bestRg.reservations.add(r);
        }
        return r;
    }

    /** Returns the unused rest of a reservation. */
    public void release(Reservation r) {
        if (r == null) {
            return;
        }
        synchronized (r.rgrp) {
            r.released = true;
            r.rgrp.reservations.remove(r);
        }
    }

    // ---------------------------------------------------------------- blocks

    /**
     * Allocates {@code count} blocks (state USED: data, indirect, leaf, EA... blocks) near
     * {@code goal}, as few runs as the free space allows, goal-first within each rgrp.
     * All or nothing: {@link NoSpaceException} with nothing changed when they do not fit.
     */
    public List<BlockRun> allocate(FsTransaction tx, long goal, int count) throws IOException {
        return allocate(tx, goal, count, null);
    }

    /** Allocates from {@code r} first (contiguous), then near its end. */
    public List<BlockRun> allocate(FsTransaction tx, Reservation r, int count) throws IOException {
        long goal;
        synchronized (r.rgrp) {
            goal = r.released ? r.rgrp.index().data0() : r.next;
        }
        return allocate(tx, goal, count, r);
    }

    private List<BlockRun> allocate(FsTransaction tx, long goal, int count, Reservation mine) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("allocate at least one block");
        }
        // phase 1: lock rgrps until enough is available (nothing changes yet)
        List<Rgrp> chosen = new ArrayList<>();
        int first = mine != null ? rgrps.all().indexOf(mine.rgrp) : rgrpIndexFor(goal);
        for (int attempt = 0; ; attempt++) {
            chosen.clear();
            long available = 0;
            long flushable = 0;
            for (int i : scanOrder(first)) {
                Rgrp rg = rgrps.get(i);
                if (!rg.allocatable() || !lock(tx, rg, true) || !rg.allocatable()) {
                    continue;
                }
                long a = rg.available(mine);
                flushable += rg.flushableFree();
                if (a > 0) {
                    chosen.add(rg);
                    available += a;
                    if (available >= count) {
                        break;
                    }
                }
            }
            if (available >= count) {
                break;
            }
            if (attempt > 0 || available + flushable < count) {
                throw new NoSpaceException(count, available);
            }
            makeFreesDurable(held(tx).allRgrps());
        }
        // phase 2: take runs
        List<BlockRun> out = new ArrayList<>();
        long left = count;
        for (Rgrp rg : chosen) {
            long from = rg.containsData(goal) ? goal : rg.index().data0();
            while (left > 0) {
                long start = rg.findFree(from, mine);
                if (start < 0) {
                    break;
                }
                long len = rg.freeRun(start, left, mine);
                rg.setState(start, len, RgrpBitmap.FREE, RgrpBitmap.USED);
                consumeReservation(mine, start, len);
                addRun(out, start, len);
                left -= len;
                from = start + len;
            }
            changed(tx, rg);
            if (left == 0) {
                break;
            }
        }
        if (left != 0) {
            // available() promised more than the bitmap had: the header counts lie
            throw new IllegalStateException("rgrps promised " + count + " free blocks but " + left + " were missing");
        }
        statfs.record(tx, -count, 0);
        return out;
    }

    private static void addRun(List<BlockRun> out, long start, long len) {
        if (!out.isEmpty() && out.get(out.size() - 1).end() == start) {
            BlockRun last = out.remove(out.size() - 1);
            out.add(new BlockRun(last.start(), last.length() + len));
        } else {
            out.add(new BlockRun(start, len));
        }
    }

    private static void consumeReservation(Reservation r, long start, long len) {
        if (r == null) {
            return;
        }
        synchronized (r.rgrp) {
            if (!r.released && start == r.next && start + len <= r.end) {
                r.next += len;
                if (r.next == r.end) {
                    r.released = true;
                    r.rgrp.reservations.remove(r);
                }
            }
        }
    }

    // ---------------------------------------------------------------- dinodes

    /**
     * Allocates a dinode block (state DINODE) near {@code goal} (a file goes near its directory) and
     * returns its number: the formal number comes from the rgrp's rg_igeneration (spec 6.4).
     */
    public Inum allocateDinode(FsTransaction tx, long goal) throws IOException {
        return allocateDinode(tx, rgrpIndexFor(goal), goal);
    }

    /**
     * Allocates a dinode in the next rgrp of a rotor, so that new directories (and what goes into
     * them) spread over the file system instead of piling into the first rgrp (the kernel's Orlov
     * allocator for top-level directories does the same).
     */
    public Inum allocateDinodeSpread(FsTransaction tx) throws IOException {
        int i = Math.floorMod(rotor.getAndIncrement(), rgrps.size());
        return allocateDinode(tx, i, rgrps.get(i).index().data0());
    }

    private Inum allocateDinode(FsTransaction tx, int firstRgrp, long goal) throws IOException {
        for (int attempt = 0; ; attempt++) {
            long seen = 0;
            long flushable = 0;
            for (int i : scanOrder(firstRgrp)) {
                Rgrp rg = rgrps.get(i);
                if (!rg.allocatable() || !lock(tx, rg, true) || !rg.allocatable()) {
                    continue;
                }
                long a = rg.available(null);
                seen += Math.max(0, a);
                flushable += rg.flushableFree();
                if (a <= 0) {
                    continue;
                }
                long block = rg.findFree(rg.containsData(goal) ? goal : rg.index().data0(), null);
                if (block < 0) {
                    continue;
                }
                rg.setState(block, 1, RgrpBitmap.FREE, RgrpBitmap.DINODE);
                long formal = rg.nextFormal();
                changed(tx, rg);
                statfs.record(tx, -1, 1);
                return new Inum(formal, block);
            }
            if (attempt > 0 || flushable == 0) {
                throw new NoSpaceException(1, seen);
            }
            makeFreesDurable(held(tx).allRgrps());
        }
    }

    // ---------------------------------------------------------------- freeing

    /**
     * Inside a transaction: takes the glocks of every rgrp holding one of {@code blocks}, ascending.
     * Prefer {@link #lockRgrpsForFree} before the transaction begins.
     */
    public void lockForFree(FsTransaction tx, Collection<Long> blocks) throws IOException {
        for (int i : rgrpIndexes(blocks)) {
            lock(tx, rgrps.get(i), false);
        }
    }

    /**
     * Frees {@code count} blocks from {@code start} (USED → FREE). {@code metadata}: they held
     * metadata (indirect, leaf, JD, EA...), so their logged copies are revoked and the cache forgets
     * them; data blocks of a non-jdata file need no revoke.
     */
    public void free(FsTransaction tx, long start, long count, boolean metadata) throws IOException {
        long b = start;
        long end = start + count;
        while (b < end) {
            Rgrp rg = rgrps.containing(b);
            long n = Math.min(end, rg.index().dataEnd()) - b;
            lock(tx, rg, false);
            rg.setState(b, n, RgrpBitmap.USED, RgrpBitmap.FREE);
            rg.freedInto(held(tx).freesIn(rg), b, n);
            for (long k = b; k < b + n; k++) {
                if (metadata) {
                    tx.free(k);
                } else {
                    cache.discard(k); // the read path may have cached the old data
                }
            }
            changed(tx, rg);
            b += n;
        }
        statfs.record(tx, count, 0);
    }

    /**
     * The unlinked-but-open protocol, step 1: the last link of a dinode is gone but the inode may
     * still be open somewhere, so its block goes to UNLINKED (still counted in rg_dinodes, as the
     * kernel does). Its data stays allocated until {@link #freeDinode}.
     */
    public void markUnlinked(FsTransaction tx, long dinode) throws IOException {
        Rgrp rg = rgrps.containing(dinode);
        lock(tx, rg, false);
        rg.setState(dinode, 1, RgrpBitmap.DINODE, RgrpBitmap.UNLINKED);
        changed(tx, rg);
    }

    /**
     * Step 2 (or an ordinary delete): the dinode block goes to FREE (from DINODE or UNLINKED),
     * rg_dinodes drops, its logged copies are revoked. The caller frees the inode's other blocks
     * first (possibly over several transactions, as a truncate does).
     */
    public void freeDinode(FsTransaction tx, long dinode) throws IOException {
        Rgrp rg = rgrps.containing(dinode);
        lock(tx, rg, false);
        rg.setState(dinode, 1, RgrpBitmap.DINODE, RgrpBitmap.FREE);
        rg.freedInto(held(tx).freesIn(rg), dinode, 1);
        tx.free(dinode);
        changed(tx, rg);
        statfs.record(tx, 1, -1);
    }

    /**
     * The UNLINKED dinodes of rgrp {@code i} (locked in EX for {@code tx}): candidates for
     * deallocation once no node has them open (the iopen glock decides; kernel: try_rgrp_unlink).
     */
    public List<Long> unlinked(FsTransaction tx, int i) throws IOException {
        Rgrp rg = rgrps.get(i);
        lock(tx, rg, false);
        return rg.unlinkedBlocks();
    }

    /**
     * The bitmap state of {@code block} ({@link RgrpBitmap#FREE} ... {@link RgrpBitmap#DINODE}) under
     * a short SH hold of its rgrp glock; e.g. whether a dinode still exists (the kernel checks the
     * same after taking an inode's iopen glock).
     */
    public int blockState(long block) throws IOException {
        Rgrp rg = rgrps.containing(block);
        try (Holder h = glocks.acquire(rg.glockName(), GlockState.SH)) {
            if (h.glock().attachment() != rg) {
                h.glock().attach(rg);
                rg.drop();
            }
            rg.ensureLoaded(cache);
            return rg.state(block);
        }
    }

    /** Free blocks over all rgrps, from their loaded state (loads each under a short SH hold). */
    public long freeBlocks() throws IOException {
        long free = 0;
        for (Rgrp rg : rgrps.all()) {
            try (Holder h = glocks.acquire(rg.glockName(), GlockState.SH)) {
                if (h.glock().attachment() != rg) {
                    h.glock().attach(rg);
                    rg.drop();
                }
                rg.ensureLoaded(cache);
                free += rg.free();
            }
        }
        return free;
    }
}
