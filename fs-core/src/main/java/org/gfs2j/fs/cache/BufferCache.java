package org.gfs2j.fs.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.glock.LogFlusher;
import org.gfs2j.fs.glock.MetadataCache;
import org.gfs2j.fs.meta.BlockSource;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.log.FlushReason;
import org.gfs2j.journal.log.JournalLog;
import org.gfs2j.journal.log.WriteBackTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's metadata buffer cache (docs/allocation.md, "The buffer cache").
 *
 * <ul>
 * <li>Blocks are cached by device block number; each buffer records the glock that covers it
 *     (inode glock for a dinode and its tree/leaf/EA blocks, rgrp glock for header and bitmaps).</li>
 * <li>A miss reads through the journal's {@link JournalLog#committedImage}: a block committed but
 *     not yet written in place is never read stale from the device.</li>
 * <li>Transactions ({@link FsTransaction}) modify private copies; at commit the new contents are
 *     installed here as <em>dirty</em> before the log sees them. A dirty buffer stays until the log
 *     writes it back through this cache ({@link WriteBackTarget}) with exactly its contents; a buffer
 *     copied into an open transaction is <em>pinned</em>. Neither is ever evicted.</li>
 * <li>Clean buffers form an LRU bounded by {@code maxClean}.</li>
 * <li>For the glock layer ({@link MetadataCache}): {@code writeBack(glock)} makes the glock's blocks
 *     durable and in place (the journal's demote sync), {@code invalidate(glock)} drops its clean
 *     buffers and keeps (and reports) dirty ones.</li>
 * </ul>
 * Thread-safe: one monitor guards the map; device reads on a miss happen outside it.
 */
public final class BufferCache implements BlockSource, MetadataCache, WriteBackTarget, LogFlusher {
    private static final Logger LOG = LoggerFactory.getLogger(BufferCache.class);

    private final BlockDevice device;
    private final int bsize;
    private final long blocks;
    private final int maxClean;
    /** Access-ordered: iteration starts at the least recently used buffer. */
    private final LinkedHashMap<Long, Buffer> buffers = new LinkedHashMap<>(256, 0.75f, true);
    private final Map<GlockName, Set<Long>> byGlock = new HashMap<>();
    private volatile JournalLog log;
    private int cleanCount;
    private long hits;
    private long misses;
    private long evictions;
    private long writtenBack;
    private long dirtyKeptOnInvalidate;

    /**
     * @param maxClean how many clean buffers to keep; dirty and pinned ones come on top
     */
    public BufferCache(BlockDevice device, int bsize, int maxClean) {
        if (maxClean < 1) {
            throw new IllegalArgumentException("maxClean must be positive");
        }
        this.device = device;
        this.bsize = bsize;
        this.blocks = device.size() / bsize;
        this.maxClean = maxClean;
    }

    /**
     * Connects the journal (created after the cache, since the log needs the cache as its
     * write-back target). Until then misses read the device only.
     */
    public void attachLog(JournalLog journal) {
        this.log = journal;
    }

    public JournalLog log() {
        return log;
    }

    public BlockDevice device() {
        return device;
    }

    // ---------------------------------------------------------------- BlockSource

    @Override
    public int blockSize() {
        return bsize;
    }

    @Override
    public long blockCount() {
        return blocks;
    }

    /** The newest committed contents, read-only (the read path; no glock recorded). */
    @Override
    public ByteBuffer read(long block) throws IOException {
        return read(block, null);
    }

    /** The newest committed contents, read-only; records {@code glock} as the block's cover. */
    public ByteBuffer read(long block, GlockName glock) throws IOException {
        return lookup(block, glock).view();
    }

    Buffer lookup(long block, GlockName glock) throws IOException {
        checkRange(block);
        synchronized (this) {
            Buffer b = buffers.get(block);
            if (b != null) {
                hits++;
                if (glock != null && !glock.equals(b.glock)) {
                    setGlock(b, glock);
                }
                return b;
            }
            misses++;
        }
        byte[] data = fetch(block);
        synchronized (this) {
            Buffer b = buffers.get(block);
            if (b != null) {
                // another thread filled (or a commit installed) it meanwhile; theirs is newer or equal
                if (glock != null && !glock.equals(b.glock)) {
                    setGlock(b, glock);
                }
                return b;
            }
            b = new Buffer(block, null, data);
            buffers.put(block, b);
            cleanCount++;
            setGlock(b, glock);
            evictLocked();
            return b;
        }
    }

    private byte[] fetch(long block) throws IOException {
        JournalLog j = log;
        if (j != null) {
            Optional<ByteBuffer> committed = j.committedImage(block);
            if (committed.isPresent()) {
                return toArray(committed.get());
            }
        }
        return toArray(device.readBlock(block, bsize));
    }

    private byte[] toArray(ByteBuffer b) {
        byte[] a = new byte[bsize];
        b.duplicate().position(0).get(a, 0, bsize);
        return a;
    }

    private void checkRange(long block) throws IOException {
        if (block < 0 || block >= blocks) {
            // only a corrupt pointer names such a block: corruption (the mount withdraws), not a device error
            throw new org.gfs2j.journal.format.CorruptMetadataException(block, "block pointer", "target",
                    "block " + block + " is outside the device (" + blocks + " blocks of " + bsize + " bytes)");
        }
    }

    private void setGlock(Buffer b, GlockName glock) {
        if (b.glock != null) {
            Set<Long> s = byGlock.get(b.glock);
            if (s != null) {
                s.remove(b.block);
                if (s.isEmpty()) {
                    byGlock.remove(b.glock);
                }
            }
        }
        b.glock = glock;
        if (glock != null) {
            byGlock.computeIfAbsent(glock, g -> new java.util.HashSet<>()).add(b.block);
        }
    }

    // ---------------------------------------------------------------- transactions

    /** A private, writable copy of the block's committed contents for a transaction; pins the buffer. */
    ByteBuffer pinForModify(long block, GlockName glock, boolean fresh) throws IOException {
        Buffer b;
        if (fresh) {
            checkRange(block);
            synchronized (this) {
                b = buffers.get(block);
                if (b == null) {
                    b = new Buffer(block, null, new byte[bsize]);
                    buffers.put(block, b);
                    cleanCount++;
                }
            }
        } else {
            b = lookup(block, glock);
        }
        synchronized (this) {
            if (b.isClean()) {
                cleanCount--;
            }
            b.pins++;
            setGlock(b, glock);
            ByteBuffer copy = ByteBuffer.allocate(bsize);
            if (!fresh) {
                copy.put(0, b.data);
            }
            return copy;
        }
    }

    /** A transaction is done with the block: unpins; installs {@code newData} as dirty when given. */
    synchronized void unpin(long block, byte[] newData) {
        Buffer b = buffers.get(block);
        if (b == null) {
            return;
        }
        if (newData != null) {
            b.data = newData;
            b.dirty = true;
        }
        b.pins--;
        if (b.isClean()) {
            cleanCount++;
            evictLocked();
        }
    }

    /**
     * Drops a clean cached copy of {@code block}: for blocks written straight to the device (file
     * data, ordered writes) or freed data blocks, which the read path may have cached. A dirty or
     * pinned buffer is kept (it is metadata in flight) and false returned.
     */
    public synchronized boolean discard(long block) {
        Buffer b = buffers.get(block);
        if (b == null) {
            return true;
        }
        if (!b.isClean()) {
            return false;
        }
        remove(b);
        return true;
    }

    /** The block was freed (its revoke is in the committing transaction): forget it, dirty or not. */
    synchronized void forget(long block) {
        Buffer b = buffers.get(block);
        if (b == null || b.pins > 0) {
            return;
        }
        remove(b);
    }

    private void remove(Buffer b) {
        buffers.remove(b.block);
        if (b.isClean()) {
            cleanCount--;
        }
        setGlock(b, null);
    }

    private void evictLocked() {
        if (cleanCount <= maxClean) {
            return;
        }
        Iterator<Buffer> it = buffers.values().iterator();
        while (cleanCount > maxClean && it.hasNext()) {
            Buffer b = it.next();
            if (b.isClean()) {
                it.remove();
                cleanCount--;
                evictions++;
                Buffer same = b;
                GlockName g = same.glock;
                if (g != null) {
                    Set<Long> s = byGlock.get(g);
                    if (s != null) {
                        s.remove(same.block);
                        if (s.isEmpty()) {
                            byGlock.remove(g);
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- WriteBackTarget (called by the log)

    @Override
    public void writeBack(long block, ByteBuffer image) throws IOException {
        device.writeBlock(block, bsize, image.duplicate().position(0));
        byte[] written = toArray(image);
        synchronized (this) {
            writtenBack++;
            Buffer b = buffers.get(block);
            // clean only if nothing newer was committed meanwhile; else a later write-back comes
            if (b != null && b.dirty && sameContents(b.data, written)) {
                b.data = written; // the journal's stamp (mh_jid, pad0) included
                b.dirty = false;
                if (b.isClean()) {
                    cleanCount++;
                    evictLocked();
                }
            }
        }
    }

    /**
     * Whether the log wrote exactly what was installed, apart from the meta header's pad0 and
     * mh_jid, which the journal stamps on every block it logs (the logging node's jid).
     */
    static boolean sameContents(byte[] installed, byte[] written) {
        if (installed.length != written.length) {
            return false;
        }
        boolean meta = written.length >= 24 && written[0] == 0x01 && written[1] == 0x16 && written[2] == 0x19
                && written[3] == 0x70;
        for (int i = 0; i < written.length; i++) {
            if (meta && ((i >= 8 && i < 16) || (i >= 20 && i < 24))) {
                continue;
            }
            if (installed[i] != written[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void sync() throws IOException {
        device.flush();
    }

    // ---------------------------------------------------------------- glock layer

    /** LogFlusher: commits the log (all of it; the journal has no per-glock flush). */
    @Override
    public void flush(GlockName glock) throws IOException {
        JournalLog j = log;
        if (j != null) {
            j.flush(FlushReason.DEMOTE);
        }
    }

    @Override
    public synchronized boolean isDirty(GlockName glock) {
        for (Buffer b : buffersOf(glock)) {
            if (!b.isClean()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Makes every committed change under {@code glock} durable, writes it in place and revokes
     * the logged copies (the journal's {@code syncForDemote}). Pinned buffers (an open transaction)
     * cannot be synced: the glock layer never demotes while a holder is granted, so that is a bug.
     */
    @Override
    public void writeBack(GlockName glock) throws IOException {
        List<Long> dirty = new ArrayList<>();
        synchronized (this) {
            for (Buffer b : buffersOf(glock)) {
                if (b.pins > 0) {
                    throw new IOException("glock " + glock + ": block " + b.block + " is in an open transaction");
                }
                if (b.dirty) {
                    dirty.add(b.block);
                }
            }
        }
        if (dirty.isEmpty()) {
            return;
        }
        JournalLog j = log;
        if (j == null) {
            throw new IOException("glock " + glock + ": dirty buffers but no journal attached");
        }
        j.syncForDemote(dirty);
    }

    /**
     * Drops the clean buffers under {@code glock} (metadata or not: this cache holds metadata only,
     * so {@code metadata == false} keeps everything). Dirty or pinned buffers are kept and logged:
     * the glock layer syncs before it invalidates, so they only exist if that sync failed.
     */
    @Override
    public synchronized void invalidate(GlockName glock, boolean metadata) {
        if (!metadata) {
            return;
        }
        for (Buffer b : buffersOf(glock)) {
            if (b.isClean()) {
                remove(b);
            } else {
                dirtyKeptOnInvalidate++;
                LOG.warn("glock {}: block {} is {} and was not invalidated", glock, b.block, b.dirty ? "dirty" : "pinned");
            }
        }
    }

    private List<Buffer> buffersOf(GlockName glock) {
        Set<Long> s = byGlock.get(glock);
        List<Buffer> out = new ArrayList<>();
        if (s != null) {
            for (long n : s) {
                Buffer b = buffers.get(n);
                if (b != null) {
                    out.add(b);
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- introspection

    /** Figures for tests and status. */
    public record Stats(int buffers, int clean, int dirty, int pinned, long hits, long misses, long evictions,
                        long writtenBack, long dirtyKeptOnInvalidate) {
    }

    public synchronized Stats stats() {
        int dirty = 0;
        int pinned = 0;
        for (Buffer b : buffers.values()) {
            if (b.dirty) {
                dirty++;
            }
            if (b.pins > 0) {
                pinned++;
            }
        }
        return new Stats(buffers.size(), cleanCount, dirty, pinned, hits, misses, evictions, writtenBack,
                dirtyKeptOnInvalidate);
    }

    /** Whether {@code block} is cached (without touching the LRU order). */
    public synchronized boolean contains(long block) {
        return buffers.containsKey(block);
    }

    public synchronized boolean isDirty(long block) {
        Buffer b = buffers.get(block);
        return b != null && b.dirty;
    }

    /** The glock recorded for a cached block, or null. */
    public synchronized GlockName glockOf(long block) {
        Buffer b = buffers.get(block);
        return b == null ? null : b.glock;
    }
}
