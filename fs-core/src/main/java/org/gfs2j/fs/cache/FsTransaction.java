package org.gfs2j.fs.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.glock.Holder;
import org.gfs2j.journal.log.JournalLog;
import org.gfs2j.journal.log.OrderedData;
import org.gfs2j.journal.log.Transaction;

/**
 * One file-system transaction over the {@link BufferCache}: a journal {@link Transaction} plus the
 * private copies of every block it changes (copy-on-write), the revokes of freed metadata blocks,
 * and glock holders to release once it is over.
 *
 * <pre>
 * try (FsTransaction tx = FsTransaction.begin(cache, 8, 2)) {
 *     ByteBuffer d = tx.modify(dinode, GlockName.inode(dinode));   // writable private copy
 *     ...change d...
 *     tx.free(oldLeaf);                                           // revoke + forget
 *     long ticket = tx.commit();                                  // log.awaitDurable(ticket) for fsync
 * }
 * </pre>
 *
 * At commit every modified block is installed in the cache as dirty and logged as metadata;
 * closing without commit discards the copies and runs the abort hooks (the allocator reloads the
 * rgrps it touched). Not thread-safe: one thread builds a transaction, and a thread has at most
 * one open (journal rule).
 *
 * <p>Copies are taken from the committed contents, so a block must be changed by one local
 * transaction at a time, from its {@link #modify} until its commit: the glock in EX (local holders
 * of an EX glock exclude each other) or, for per-node blocks such as statfs_changeN, a lock of
 * the owning class held until the transaction ends ({@link #onEnd}).
 */
public final class FsTransaction implements AutoCloseable {
    private final BufferCache cache;
    private final JournalLog log;
    private final Transaction journal;
    private final Map<Long, ByteBuffer> modified = new LinkedHashMap<>();
    private final Set<Long> freed = new LinkedHashSet<>();
    private final List<Holder> holders = new ArrayList<>();
    private final List<Runnable> onAbort = new ArrayList<>();
    private final List<Runnable> onEnd = new ArrayList<>();
    private final List<BeforeCommit> beforeCommit = new ArrayList<>();
    private final Map<Object, Object> attachments = new java.util.HashMap<>();
    private final int maxBlocks;
    private final int maxRevokes;
    private boolean done;
    private boolean committed;

    private FsTransaction(BufferCache cache, JournalLog log, Transaction journal, int maxBlocks, int maxRevokes) {
        this.cache = cache;
        this.log = log;
        this.journal = journal;
        this.maxBlocks = maxBlocks;
        this.maxRevokes = maxRevokes;
    }

    /**
     * Begins a transaction changing at most {@code blocks} metadata blocks and freeing at most
     * {@code revokes} metadata blocks (the journal reserves log space for that).
     */
    public static FsTransaction begin(BufferCache cache, int blocks, int revokes) throws IOException {
        JournalLog log = cache.log();
        if (log == null) {
            throw new IllegalStateException("the buffer cache has no journal attached");
        }
        return new FsTransaction(cache, log, log.begin(blocks, revokes), blocks, revokes);
    }

    public BufferCache cache() {
        return cache;
    }

    /** The block as this transaction sees it (its own change if any), read-only. */
    public ByteBuffer read(long block, GlockName glock) throws IOException {
        checkOpen();
        ByteBuffer mine = modified.get(block);
        return mine != null ? mine.asReadOnlyBuffer() : cache.read(block, glock);
    }

    /** A writable copy of the block, logged at commit; the same buffer on every call in this transaction. */
    public ByteBuffer modify(long block, GlockName glock) throws IOException {
        checkOpen();
        ByteBuffer mine = modified.get(block);
        if (mine == null) {
            if (freed.contains(block)) {
                throw new IllegalStateException("block " + block + " was freed in this transaction");
            }
            checkRoom(block);
            mine = cache.pinForModify(block, glock, false);
            modified.put(block, mine);
        }
        return mine;
    }

    /** A zeroed writable buffer for a freshly allocated block (its old contents are not read). */
    public ByteBuffer create(long block, GlockName glock) throws IOException {
        checkOpen();
        ByteBuffer mine = modified.get(block);
        if (mine == null) {
            checkRoom(block);
            freed.remove(block);
            mine = cache.pinForModify(block, glock, true);
            modified.put(block, mine);
        } else {
            mine.clear();
            mine.put(0, new byte[mine.capacity()]);
        }
        return mine;
    }

    /**
     * A metadata block was freed: its logged copies must never be replayed over whatever the block
     * holds next (journal revoke), and the cache forgets it at commit.
     */
    public void free(long block) {
        checkOpen();
        if (!freed.contains(block) && freed.size() >= maxRevokes) {
            throw new IllegalStateException("transaction reserved " + maxRevokes + " revokes, freeing one more metadata block");
        }
        ByteBuffer mine = modified.remove(block);
        if (mine != null) {
            cache.unpin(block, null);
        }
        freed.add(block);
    }

    private void checkRoom(long block) {
        if (modified.size() >= maxBlocks) {
            throw new IllegalStateException("transaction reserved " + maxBlocks + " blocks, changing one more (" + block + ")");
        }
    }

    public void addOrderedData(OrderedData data) {
        checkOpen();
        journal.addOrderedData(data);
    }

    /** Releases {@code h} when the transaction ends (commit or abort), after the log has the changes. */
    public void hold(Holder h) {
        checkOpen();
        holders.add(h);
    }

    /** Work that adds the last changes of another layer at commit time (e.g. statfs deltas). */
    @FunctionalInterface
    public interface BeforeCommit {
        void run(FsTransaction tx) throws IOException;
    }

    /** Runs {@code hook} at the start of {@link #commit}, while blocks may still be modified. */
    public void beforeCommit(BeforeCommit hook) {
        checkOpen();
        beforeCommit.add(hook);
    }

    /** Runs when the transaction is closed without commit (undo in-memory state). */
    public void onAbort(Runnable r) {
        onAbort.add(r);
    }

    /** Runs when the transaction ends either way, before holders are released. */
    public void onEnd(Runnable r) {
        onEnd.add(r);
    }

    /** Per-transaction state of other layers (e.g. the allocator's locked rgrps), keyed by owner. */
    @SuppressWarnings("unchecked")
    public <T> T attachment(Object key, java.util.function.Supplier<T> create) {
        return (T) attachments.computeIfAbsent(key, k -> create.get());
    }

    public boolean isModified(long block) {
        return modified.containsKey(block);
    }

    /**
     * Commits: logs every modified block and every revoke, installs the new contents in the cache
     * as dirty, forgets freed blocks, releases the holders. Returns the journal ticket.
     */
    public long commit() throws IOException {
        checkOpen();
        for (int i = 0; i < beforeCommit.size(); i++) {
            beforeCommit.get(i).run(this);
        }
        done = true;
        long ticket;
        try {
            for (var e : modified.entrySet()) {
                journal.addMetadata(e.getKey(), e.getValue());
            }
            for (long b : freed) {
                journal.addRevoke(b);
            }
            // install before the log can write anything back, so the write-back finds these bytes
            for (var e : modified.entrySet()) {
                byte[] data = new byte[e.getValue().capacity()];
                e.getValue().get(0, data);
                cache.unpin(e.getKey(), data);
            }
            modified.clear();
            for (long b : freed) {
                cache.forget(b);
            }
            ticket = journal.commit();
            committed = true;
        } finally {
            if (!committed) {
                journal.close();
            }
            finish();
        }
        return ticket;
    }

    /** Commits and waits until durable (fsync semantics). */
    public void commitDurable() throws IOException {
        long ticket = commit();
        log.awaitDurable(ticket);
    }

    @Override
    public void close() {
        if (done) {
            return;
        }
        done = true;
        journal.close();
        finish();
    }

    private void finish() {
        for (long b : modified.keySet()) {
            cache.unpin(b, null);
        }
        modified.clear();
        if (!committed) {
            onAbort.forEach(Runnable::run);
        }
        onEnd.forEach(Runnable::run);
        for (int i = holders.size() - 1; i >= 0; i--) {
            holders.get(i).close();
        }
        holders.clear();
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException("transaction already committed or closed");
        }
    }
}
