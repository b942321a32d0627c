package org.gfs2j.fs.alloc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.gfs2j.fs.cache.BufferCache;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.glock.Glock;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.glock.GlockObject;
import org.gfs2j.fs.glock.RgrpLvb;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.RgrpBitmap;
import org.gfs2j.fs.ondisk.RgrpHeader;
import org.gfs2j.fs.ondisk.RindexEntry;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * The in-core state of one resource group: header, bitmap (a working copy of the header blocks),
 * the count of UNLINKED dinodes and the reservations made in it. Valid only while this node holds
 * the rgrp glock: the glock's invalidate drops it ({@link GlockObject}) and the next use reloads
 * it through the buffer cache. Changes are made under the rgrp glock in EX, inside an
 * {@link FsTransaction}: each changed header/bitmap block is copied into the transaction
 * ({@link #writeOut}); an aborted transaction makes the state reload.
 */
public final class Rgrp implements GlockObject {
    private final RindexEntry index;
    private final Geometry geo;
    private final GlockName glock;
    // guarded by this
    private boolean loaded;
    private RgrpHeader header;
    private ByteBuffer blocks;
    private RgrpBitmap bitmap;
    private long unlinked;
    private final TreeSet<Integer> changedBlocks = new TreeSet<>();
    final List<Reservation> reservations = new ArrayList<>();
    // survives drop(): frees of committed transactions stay not durable across an abort's reload
    private final FreedBlocks notDurable = new FreedBlocks();

    Rgrp(RindexEntry index, Geometry geo) {
        this.index = index;
        this.geo = geo;
        this.glock = GlockName.rgrp(index.addr());
    }

    public long addr() {
        return index.addr();
    }

    public RindexEntry index() {
        return index;
    }

    public GlockName glockName() {
        return glock;
    }

    public boolean containsData(long block) {
        return index.containsData(block);
    }

    /** Reads header and bitmaps through the cache unless already loaded; checks their consistency. */
    synchronized void ensureLoaded(BufferCache cache) throws IOException {
        if (loaded) {
            return;
        }
        int bsize = geo.bsize();
        int length = (int) index.length();
        ByteBuffer all = ByteBuffer.allocate(length * bsize);
        for (int k = 0; k < length; k++) {
            all.put(k * bsize, cache.read(index.addr() + k, glock), 0, bsize);
        }
        ByteBuffer first = all.duplicate().position(0).limit(bsize).slice();
        RgrpHeader h = RgrpHeader.decode(first, index.addr());
        h.checkAgainst(index, index.addr());
        RgrpBitmap.checkBitmapBlocks(all, geo, index.addr(), length);
        RgrpBitmap bm = new RgrpBitmap(all, geo, index.data());
        long free = 0;
        long dinodes = 0;
        long unl = 0;
        for (long i = 0; i < index.data(); i++) {
            switch (bm.get(i)) {
                case RgrpBitmap.FREE -> free++;
                case RgrpBitmap.DINODE -> dinodes++;
                case RgrpBitmap.UNLINKED -> unl++;
                default -> { }
            }
        }
        // the kernel counts unlinked dinodes in rg_dinodes until they are deallocated
        if (free != h.free() || dinodes + unl != h.dinodes()) {
            throw new CorruptMetadataException(index.addr(), "resource group header", "rg_free",
                    "header says " + h.free() + " free / " + h.dinodes() + " dinodes, bitmap has " + free + " / "
                            + (dinodes + unl));
        }
        this.header = h;
        this.blocks = all;
        this.bitmap = bm;
        this.unlinked = unl;
        this.changedBlocks.clear();
        this.loaded = true;
    }

    synchronized boolean isLoaded() {
        return loaded;
    }

    /** Forget the in-core copy (glock invalidate, aborted transaction). */
    synchronized void drop() {
        loaded = false;
        header = null;
        blocks = null;
        bitmap = null;
        changedBlocks.clear();
    }

    @Override
    public void invalidate(Glock g, boolean metadata) {
        synchronized (this) {
            // the glock layer synced the log before invalidating: every committed free is durable
            notDurable.releaseSealed();
        }
        drop();
    }

    // ---------------------------------------------------------------- queries (loaded state)

    public synchronized RgrpHeader header() {
        requireLoaded();
        return header;
    }

    public synchronized long free() {
        requireLoaded();
        return header.free();
    }

    public synchronized long dinodes() {
        requireLoaded();
        return header.dinodes();
    }

    public synchronized long unlinked() {
        requireLoaded();
        return unlinked;
    }

    public synchronized int state(long block) {
        requireLoaded();
        return bitmap.get(block - index.data0());
    }

    /** Free blocks not reserved by a reservation other than {@code mine}. */
    synchronized long available(Reservation mine) {
        requireLoaded();
        // only blocks still FREE count: another node may have taken part of a reservation
        // while this node did not hold the glock (reservations are local hints)
        long reserved = 0;
        for (Reservation r : reservations) {
            if (r != mine) {
                for (long b = r.next; b < r.end; b++) {
                    if (bitmap.get(b - index.data0()) == RgrpBitmap.FREE && !notDurable.contains(b - index.data0())) {
                        reserved++;
                    }
                }
            }
        }
        return header.free() - reserved - notDurable.count();
    }

    /** Whether the block at {@code rel} in the data area is FREE and its free is durable. */
    private boolean allocatableAt(long rel) {
        return bitmap.get(rel) == RgrpBitmap.FREE && !notDurable.contains(rel);
    }

    // ---------------------------------------------------------------- frees not yet durable

    /** Starts recording the frees of one transaction (see {@link FreedBlocks}). */
    synchronized FreedBlocks.Batch openFreeBatch() {
        return notDurable.open();
    }

    /** Records that {@code count} blocks from {@code abs}, just set FREE, wait for their transaction to be durable. */
    synchronized void freedInto(FreedBlocks.Batch batch, long abs, long count) {
        for (long b = abs; b < abs + count; b++) {
            notDurable.add(batch, b - index.data0());
        }
    }

    synchronized void sealFreeBatch(FreedBlocks.Batch batch, long ticket) {
        notDurable.seal(batch, ticket);
    }

    synchronized void discardFreeBatch(FreedBlocks.Batch batch) {
        notDurable.discard(batch);
    }

    /** Makes the frees of transactions up to {@code durableTicket} allocatable. */
    synchronized void releaseDurable(long durableTicket) {
        notDurable.releaseDurable(durableTicket);
    }

    /** FREE blocks not allocatable until their freeing transaction is durable (statfs still counts them). */
    public synchronized long notDurableFree() {
        return notDurable.count();
    }

    /** Of those, the ones whose transaction committed: a log flush makes them allocatable. */
    synchronized long flushableFree() {
        return notDurable.sealedCount();
    }

    synchronized boolean allocatable() {
        return (index.data() > 0) && (!loaded || (header.flags() & RgrpHeader.FLAG_NOALLOC) == 0);
    }

    /** Whether {@code block} lies in a reservation other than {@code mine}. */
    synchronized boolean reservedByOther(long block, Reservation mine) {
        for (Reservation r : reservations) {
            if (r != mine && block >= r.next && block < r.end) {
                return true;
            }
        }
        return false;
    }

    /**
     * The first block at or after {@code from} (wrapping to the start of the data area once) that is
     * FREE and not reserved for another file, or -1.
     */
    synchronized long findFree(long from, Reservation mine) {
        requireLoaded();
        long n = index.data();
        long startRel = from >= index.data0() && from < index.dataEnd() ? from - index.data0() : 0;
        long found = firstAllocatable(startRel, n, mine);
        return found >= 0 ? found : firstAllocatable(0, startRel, mine);
    }

    /** The first allocatable block (absolute) with a relative index in [fromRel, toRel), or -1. */
    private long firstAllocatable(long fromRel, long toRel, Reservation mine) {
        for (long rel = bitmap.nextFree(fromRel, toRel); rel >= 0; rel = bitmap.nextFree(rel + 1, toRel)) {
            if (allocatableAt(rel)) {
                long abs = index.data0() + rel;
                if (!reservedByOther(abs, mine)) {
                    return abs;
                }
            }
        }
        return -1;
    }

    /** Length of the run of FREE, unreserved-by-others blocks starting at {@code abs}, at most {@code max}. */
    synchronized long freeRun(long abs, long max, Reservation mine) {
        long len = 0;
        while (len < max && abs + len < index.dataEnd()
                && allocatableAt(abs + len - index.data0()) && !reservedByOther(abs + len, mine)) {
            len++;
        }
        return len;
    }

    /**
     * The first run of {@code want} free blocks (not reserved by others) found scanning from
     * {@code from}, else the longest shorter one: {start, length}, length 0 when nothing is free.
     * Runs do not wrap around the end of the data area.
     */
    synchronized long[] bestRun(long from, long want, Reservation mine) {
        requireLoaded();
        long n = index.data();
        long startRel = from >= index.data0() && from < index.dataEnd() ? from - index.data0() : 0;
        long bestStart = -1;
        long bestLen = 0;
        long runStart = -1;
        long runLen = 0;
        for (long k = 0; k < n; k++) {
            long rel = (startRel + k) % n;
            if (rel == 0) {
                runLen = 0;
            }
            long abs = index.data0() + rel;
            if (allocatableAt(rel) && !reservedByOther(abs, mine)) {
                if (runLen == 0) {
                    runStart = abs;
                }
                runLen++;
                if (runLen > bestLen) {
                    bestLen = runLen;
                    bestStart = runStart;
                    if (bestLen >= want) {
                        break;
                    }
                }
            } else {
                runLen = 0;
            }
        }
        return new long[] {bestStart, bestLen};
    }

    // ---------------------------------------------------------------- changes (rgrp glock in EX, in a transaction)

    /** Changes the state of {@code count} blocks from {@code abs}, keeping the header counters in step. */
    synchronized void setState(long abs, long count, int from, int to) throws CorruptMetadataException {
        requireLoaded();
        long free = header.free();
        long dinodes = header.dinodes();
        for (long b = abs; b < abs + count; b++) {
            long rel = b - index.data0();
            int old = bitmap.get(rel);
            if (old != from && !(from == RgrpBitmap.DINODE && old == RgrpBitmap.UNLINKED && to == RgrpBitmap.FREE)) {
                throw new CorruptMetadataException(index.addr(), "resource group bitmap", "block " + b,
                        "state " + old + ", expected " + from + " before changing it to " + to);
            }
            if (old == RgrpBitmap.FREE && notDurable.contains(rel)) {
                throw new IllegalStateException("block " + b + " was freed by a transaction that is not durable yet");
            }
            bitmap.set(rel, to);
            changedBlocks.add(blockOfEntry(rel));
            if (old == RgrpBitmap.FREE) {
                free--;
            }
            if (to == RgrpBitmap.FREE) {
                free++;
            }
            if (old == RgrpBitmap.UNLINKED) {
                unlinked--;
            }
            if (to == RgrpBitmap.UNLINKED) {
                unlinked++;
            }
            // rg_dinodes counts DINODE and UNLINKED (the kernel's rule)
            boolean wasDinode = old == RgrpBitmap.DINODE || old == RgrpBitmap.UNLINKED;
            boolean isDinode = to == RgrpBitmap.DINODE || to == RgrpBitmap.UNLINKED;
            if (wasDinode && !isDinode) {
                dinodes--;
            }
            if (!wasDinode && isDinode) {
                dinodes++;
            }
        }
        header = header.withCounts(free, dinodes);
        changedBlocks.add(0);
    }

    /** The next formal inode number from rg_igeneration (never 0), advancing the counter. */
    synchronized long nextFormal() {
        requireLoaded();
        long gen = header.igeneration();
        long formal = gen++;
        if (formal == 0) {
            formal = gen++;
        }
        header = header.withIgeneration(gen);
        changedBlocks.add(0);
        return formal;
    }

    private int blockOfEntry(long rel) {
        long byteIndex = rel >>> 2;
        if (byteIndex < geo.rgBitmapBytes()) {
            return 0;
        }
        return (int) (1 + (byteIndex - geo.rgBitmapBytes()) / geo.rbBitmapBytes());
    }

    /** Copies the header (with rg_crc) and every changed bitmap block into the transaction. */
    synchronized void writeOut(FsTransaction tx) throws IOException {
        requireLoaded();
        if (changedBlocks.isEmpty()) {
            return;
        }
        int bsize = geo.bsize();
        header.encode(blocks.duplicate().position(0).limit(bsize).slice());
        for (int k : changedBlocks) {
            ByteBuffer dst = tx.modify(index.addr() + k, glock);
            dst.put(0, blocks, k * bsize, bsize);
        }
        changedBlocks.clear();
    }

    /** The value block the rgrp glock carries (spec 4.6). */
    synchronized RgrpLvb lvb() {
        requireLoaded();
        return new RgrpLvb(header.flags(), (int) header.free(), (int) header.dinodes(), header.igeneration(),
                (int) unlinked);
    }

    /** Blocks in state UNLINKED (dinodes waiting to be deallocated). */
    synchronized List<Long> unlinkedBlocks() {
        requireLoaded();
        List<Long> out = new ArrayList<>();
        if (unlinked == 0) {
            return out;
        }
        for (long i = 0; i < index.data(); i++) {
            if (bitmap.get(i) == RgrpBitmap.UNLINKED) {
                out.add(index.data0() + i);
            }
        }
        return out;
    }

    private void requireLoaded() {
        if (!loaded) {
            throw new IllegalStateException("rgrp " + index.addr() + " is not loaded (its glock is not held)");
        }
    }

    @Override
    public String toString() {
        return "rgrp " + index.addr() + " (data " + index.data0() + ".." + index.dataEnd() + ")";
    }
}
