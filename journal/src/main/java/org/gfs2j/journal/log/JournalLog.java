package org.gfs2j.journal.log;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongPredicate;
import org.gfs2j.journal.format.LogDescriptor;
import org.gfs2j.journal.format.LogHeader;
import org.gfs2j.journal.format.RevokeCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's log in its own journal, in GFS2's log format: transactions, group commit, the flush
 * (ordered data, descriptors and block copies, then the commit header), write-back of committed
 * blocks and the tail, log-space reservation, and the clean-unmount header.
 *
 * <h2>Ordering rules</h2>
 * <ol>
 * <li>Ordered data of a flush is written, the log body is written, the device is flushed, and only
 *     then the commit header is written and the device flushed again. A header therefore never
 *     commits a body (or data) that might not be on the device; a torn flush has no valid header
 *     and is not replayed.</li>
 * <li>A block is written in place only after the flush that logged it is durable (it enters the
 *     active items list after the header), with the image that flush logged.</li>
 * <li>The tail recorded in a header is the start of the oldest flush that still has a logged
 *     block not written back (and synced). Log blocks are only reused once a durable header
 *     records a tail past them; the log never overwrites what has not been written back.</li>
 * <li>{@link #begin} reserves the worst-case log space of a transaction. When the log cannot
 *     hold it, the reserving thread flushes, writes back everything and writes a header-only
 *     flush that moves the tail, instead of waiting for space that nothing would free.</li>
 * </ol>
 *
 * <p>One writer: flushes, write-back and header writes run one at a time (the "writer token"),
 * while other threads keep building and committing transactions into the next flush.
 * After an I/O error during a flush the log withdraws: every later call fails, nothing more is
 * written, and recovery replays what reached the journal.
 */
public final class JournalLog implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(JournalLog.class);

    private final JournalIo io;
    private final LogConfig cfg;
    private final FlushPolicy policy;
    private final WriteBackTarget writeBack;
    private final int bsize;
    private final long size;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    // guarded by lock
    private long nextSequence;
    private long lastHeader;
    private long durableTail;
    private long reserved;
    private FlushContents pending = new FlushContents();
    private long inflight;
    private FlushContents inflightContents;
    private boolean writerBusy;
    private long ticketCounter;
    private long durableTicket;
    private final ActiveItems ail = new ActiveItems();
    private final ArrayDeque<FlushRecord> records = new ArrayDeque<>();
    private boolean closed;
    private IOException withdrawn;

    private final Map<FlushReason, Counter> flushCounters = new EnumMap<>(FlushReason.class);
    private final Counter commits;
    private final Counter logBlocksWritten;
    private final Counter writtenBack;

    private JournalLog(JournalIo io, LogConfig cfg, JournalHead head) {
        this.io = io;
        this.cfg = cfg;
        this.bsize = io.bsize();
        this.size = io.size();
        this.policy = cfg.policy(size);
        this.writeBack = cfg.writeBack() != null ? cfg.writeBack() : new DeviceWriteBack(io.device(), bsize);
        this.nextSequence = head.sequence() + 1;
        this.lastHeader = head.index();
        this.durableTail = head.index();
        MetricRegistry m = cfg.metrics();
        for (FlushReason r : FlushReason.values()) {
            flushCounters.put(r, m.counter(r.metricName()));
        }
        commits = m.counter("gfs2j.journal.commits");
        logBlocksWritten = m.counter("gfs2j.journal.log_blocks");
        writtenBack = m.counter("gfs2j.journal.written_back");
    }

    /**
     * Opens this node's log: finds the head, replays the journal if it is dirty (unless the
     * config says not to, then a dirty journal is an error), and continues after the head.
     */
    public static JournalLog open(JournalIo io, LogConfig cfg) throws IOException {
        if (io.size() < 8) {
            throw new IllegalArgumentException("journal of " + io.size() + " blocks is too small for a log");
        }
        JournalHead head = HeadSearch.find(io);
        if (!head.isClean()) {
            if (!cfg.recoverOnOpen()) {
                throw new IOException("journal " + io.extents() + " is dirty (head sequence " + head.sequence()
                        + " at block " + head.index() + " lacks UNMOUNT); replay it first");
            }
            JournalRecovery.recover(io, cfg.jid(), cfg.clock());
            head = HeadSearch.find(io);
        }
        return new JournalLog(io, cfg, head);
    }

    int bsize() {
        return bsize;
    }

    int jid() {
        return cfg.jid();
    }

    public FlushPolicy policy() {
        return policy;
    }

    public JournalIo io() {
        return io;
    }

    // ---------------------------------------------------------------- transactions

    /**
     * Begins a transaction that will log at most {@code blocks} distinct blocks (metadata or
     * journaled data) and {@code revokes} revokes. Reserves their worst-case log space, making room
     * (flush + write-back + tail move) when the log is too full.
     *
     * @throws IllegalArgumentException when such a transaction can never fit in this journal
     */
    public Transaction begin(int blocks, int revokes) throws IOException {
        if (blocks < 0 || revokes < 0) {
            throw new IllegalArgumentException("negative reservation");
        }
        int need = worstCase(blocks, revokes);
        if (need + 2 > size) {
            throw new IllegalArgumentException("a transaction of " + blocks + " blocks and " + revokes
                    + " revokes needs " + need + " log blocks; the journal has " + size);
        }
        lock.lock();
        try {
            while (true) {
                checkUsable();
                if (fits(need)) {
                    reserved += need;
                    return new Transaction(this, blocks, revokes, need);
                }
                if (!writerBusy) {
                    runAsWriter(this::makeRoom);
                    if (!fits(need) && reserved > 0) {
                        await();
                    }
                } else {
                    await();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Log blocks a transaction of this size may take at most, with a header of its own. */
    int worstCase(long blocks, long revokes) {
        // header + blocks + descriptors as if all were jdata (the smaller descriptor), + 1 for a
        // second descriptor when metadata and jdata mix: the merged flush of any set of
        // transactions then never exceeds the sum of their reservations
        int cap = LogDescriptor.jdataCapacity(bsize);
        return (int) Math.min(Integer.MAX_VALUE / 2, 2 + blocks + (blocks + cap - 1) / cap
                + RevokeCodec.blocksFor(bsize, revokes));
    }

    private boolean fits(long need) {
        return reserved + pendingBlocks() + inflight + need + 1 <= size - live();
    }

    private long pendingBlocks() {
        return pending.isEmpty() ? 0 : pending.logBlocks(bsize);
    }

    /** Blocks from the durable tail to the last header, inclusive: what must not be overwritten. */
    private long live() {
        return Math.floorMod(lastHeader - durableTail, size) + 1;
    }

    long commit(Transaction tx) throws IOException {
        boolean flushNow;
        long ticket;
        FlushReason reason;
        lock.lock();
        try {
            reserved -= tx.reservedLogBlocks();
            changed.signalAll();
            checkUsable();
            for (Transaction.Op op : tx.ops()) {
                switch (op.kind()) {
                    case METADATA -> pending.addMetadata(op.block(), op.image());
                    case JDATA -> pending.addJournaledData(op.block(), op.image());
                    case REVOKE -> {
                        pending.addRevoke(op.block());
                        ail.revoke(op.block());
                    }
                    case ORDERED -> pending.addOrdered(op.ordered());
                    default -> throw new IllegalStateException(op.kind().toString());
                }
            }
            ticket = ++ticketCounter;
            pending.committed(ticket, cfg.clock().millis());
            commits.inc();
            if (policy.flushesEveryCommit()) {
                flushNow = true;
                reason = FlushReason.COMMIT;
            } else {
                flushNow = pending.logBlocks(bsize) >= policy.maxPendingBlocks();
                reason = FlushReason.SIZE;
            }
        } finally {
            lock.unlock();
        }
        if (flushNow) {
            awaitDurable(ticket, reason);
        }
        return ticket;
    }

    void abort(Transaction tx) {
        lock.lock();
        try {
            reserved -= tx.reservedLogBlocks();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- flushing

    /** Waits until the commit with this ticket is durable, flushing if needed (group commit). */
    public void awaitDurable(long ticket) throws IOException {
        awaitDurable(ticket, FlushReason.FSYNC);
    }

    private void awaitDurable(long ticket, FlushReason reason) throws IOException {
        lock.lock();
        try {
            while (durableTicket < ticket) {
                checkUsable();
                if (!writerBusy) {
                    runAsWriter(() -> flushPending(reason, 0));
                } else {
                    await();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** fsync: everything committed so far is durable when this returns. */
    public void fsync() throws IOException {
        flush(FlushReason.FSYNC);
    }

    /** Makes everything committed so far durable, counting the flush under {@code reason}. */
    public void flush(FlushReason reason) throws IOException {
        long ticket;
        lock.lock();
        try {
            checkUsable();
            ticket = ticketCounter;
        } finally {
            lock.unlock();
        }
        awaitDurable(ticket, reason);
    }

    /**
     * The policy's time-driven work, called periodically ({@link LogDaemon} or a test with a fake
     * clock): flush pending transactions older than the age limit; write back and move the tail
     * when the live log exceeds the write-back threshold.
     */
    public void tick() throws IOException {
        boolean ageDue;
        boolean writeBackDue;
        lock.lock();
        try {
            checkUsable();
            ageDue = !pending.isEmpty()
                    && cfg.clock().millis() - pending.firstCommitMillis() >= policy.maxAge().toMillis();
            writeBackDue = live() * 100 >= size * policy.writeBackPercent();
        } finally {
            lock.unlock();
        }
        if (ageDue) {
            flush(FlushReason.AGE);
        }
        if (writeBackDue) {
            writeBackAll(FlushReason.TAIL);
        }
    }

    /**
     * Flushes what is committed, writes every committed block in place and records the new (empty)
     * live log in a header; counts both flushes under {@code reason}.
     */
    public void writeBackAll(FlushReason reason) throws IOException {
        lock.lock();
        try {
            while (writerBusy) {
                await();
            }
            checkUsable();
            runAsWriter(() -> {
                flushPending(reason, 0);
                writeBackMatching(b -> true);
                writeFlush(new FlushContents(), reason, flagsFor(reason));
            });
        } finally {
            lock.unlock();
        }
    }

    /**
     * What a glock demote needs: every committed change to {@code blocks} is in the log, written in
     * place and synced, and revoked if a logged copy is still in the live log, so that replaying
     * this journal later never overwrites what another node writes after it gets the lock.
     */
    public void syncForDemote(Collection<Long> blocks) throws IOException {
        flush(FlushReason.DEMOTE);
        Set<Long> set = new HashSet<>(blocks);
        lock.lock();
        try {
            while (writerBusy) {
                await();
            }
            checkUsable();
            runAsWriter(() -> writeBackMatching(set::contains));
        } finally {
            lock.unlock();
        }
        List<Long> toRevoke = new ArrayList<>();
        lock.lock();
        try {
            for (long b : set) {
                for (FlushRecord r : records) {
                    if (r.logged.contains(b)) {
                        toRevoke.add(b);
                        break;
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        if (!toRevoke.isEmpty()) {
            try (Transaction tx = begin(0, toRevoke.size())) {
                toRevoke.forEach(tx::addRevoke);
                tx.commit();
            }
            flush(FlushReason.DEMOTE);
        }
    }

    /**
     * Clean unmount: flushes, writes everything back and writes the UNMOUNT header. After a
     * withdrawal it only marks the log closed (the journal stays dirty for recovery).
     */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (withdrawn == null) {
                while (writerBusy) {
                    await();
                }
                runAsWriter(() -> {
                    flushPending(FlushReason.UNMOUNT, 0);
                    writeBackMatching(b -> true);
                    writeFlush(new FlushContents(), FlushReason.UNMOUNT,
                            LogHeader.FLAG_UNMOUNT | LogHeader.LFC_SHUTDOWN);
                });
            }
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops using the log without writing anything more, as a crash would (tests, withdraw). */
    public void abandon() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- writer (token held, lock not held)

    private interface WriterAction {
        void run() throws IOException;
    }

    /** Runs {@code action} as the single writer; called and returns with the lock held. */
    private void runAsWriter(WriterAction action) throws IOException {
        writerBusy = true;
        lock.unlock();
        try {
            action.run();
        } catch (IOException | RuntimeException | Error e) {
            lock.lock();
            try {
                if (withdrawn == null) {
                    withdrawn = e instanceof IOException io ? io : new IOException(e.toString(), e);
                    LOG.error("journal {} withdrawn after a failed log write: {}", io.extents(), e.toString());
                }
            } finally {
                lock.unlock();
            }
            throw e;
        } finally {
            lock.lock();
            writerBusy = false;
            changed.signalAll();
        }
    }

    private void makeRoom() throws IOException {
        flushCounters.get(FlushReason.LOG_SPACE).inc();
        flushPending(FlushReason.LOG_SPACE, 0);
        writeBackMatching(b -> true);
        writeFlush(new FlushContents(), null, flagsFor(FlushReason.LOG_SPACE));
    }

    private void flushPending(FlushReason reason, int extraFlags) throws IOException {
        FlushContents snapshot;
        lock.lock();
        try {
            snapshot = pending;
            if (snapshot.isEmpty()) {
                return;
            }
            pending = new FlushContents();
            inflightContents = snapshot;
            // counted as in flight from the moment it leaves pending, so begin() never over-reserves
            inflight = snapshot.logBlocks(bsize);
        } finally {
            lock.unlock();
        }
        writeFlush(snapshot, reason, flagsFor(reason) | extraFlags);
    }

    private static int flagsFor(FlushReason reason) {
        if (reason == null) {
            return LogHeader.FLAG_FLUSH_NORMAL | LogHeader.LFC_INPLACE_RESERVE;
        }
        return switch (reason) {
            case FSYNC -> LogHeader.FLAG_FLUSH_SYNC | LogHeader.LFC_DO_SYNC;
            case DEMOTE -> LogHeader.FLAG_FLUSH_NORMAL | LogHeader.LFC_INODE_GO_SYNC;
            case LOG_SPACE -> LogHeader.FLAG_FLUSH_NORMAL | LogHeader.LFC_INPLACE_RESERVE;
            case TAIL -> LogHeader.FLAG_FLUSH_NORMAL | LogHeader.LFC_AIL_FLUSH;
            case UNMOUNT -> LogHeader.FLAG_FLUSH_SHUTDOWN | LogHeader.LFC_SHUTDOWN;
            case COMMIT -> LogHeader.FLAG_FLUSH_NORMAL | LogHeader.LFC_TRANS_END;
            default -> LogHeader.FLAG_FLUSH_NORMAL | LogHeader.LFC_LOGD_JFLUSH_REQD;
        };
    }

    /**
     * Writes one flush: ordered data, body, device flush, header, device flush; then hands the
     * logged blocks to write-back. {@code reason} null: counted by the caller.
     */
    private void writeFlush(FlushContents c, FlushReason reason, int flags) throws IOException {
        int n = c.logBlocks(bsize);
        long start;
        long seq;
        lock.lock();
        try {
            if (n > size - live()) {
                throw new IllegalStateException("flush of " + n + " blocks does not fit: " + (size - live()) + " free");
            }
            start = (lastHeader + 1) % size;
            seq = nextSequence;
            inflight = n;
        } finally {
            lock.unlock();
        }
        for (OrderedData d : c.ordered()) {
            d.writeOut();
        }
        LogBuffer body = new LogBuffer(n - 1, bsize);
        for (LogOperations op : LogOperations.ALL) {
            op.beforeCommit(c, body, cfg.jid());
        }
        if (body.blocks() != n - 1) {
            throw new IllegalStateException("log body has " + body.blocks() + " blocks, expected " + (n - 1));
        }
        if (body.blocks() > 0) {
            io.writeBlocks(start, body.contents());
        }
        if (body.blocks() > 0 || !c.ordered().isEmpty()) {
            io.flush();
        }
        long headerIndex = (start + n - 1) % size;
        long tail;
        lock.lock();
        try {
            while (!records.isEmpty() && records.peekFirst().live == 0) {
                records.pollFirst();
            }
            tail = records.isEmpty() ? start : records.peekFirst().start;
        } finally {
            lock.unlock();
        }
        Instant now = cfg.clock().instant();
        long[] local = cfg.localStatfs().get();
        ByteBuffer header = LogHeader.builder()
                .jid(cfg.jid())
                .sequence(seq)
                .flags(flags)
                .tail(tail)
                .blkno(headerIndex)
                .time(now.getEpochSecond(), now.getNano())
                .addr(io.deviceBlock(headerIndex))
                .jinode(cfg.jinodeAddr())
                .statfsAddr(cfg.statfsAddr())
                .quotaAddr(cfg.quotaAddr())
                .localStatfs(local[0], local[1], local[2])
                .encode(bsize, true);
        io.writeBlock(headerIndex, header);
        io.flush();
        lock.lock();
        try {
            lastHeader = headerIndex;
            durableTail = tail;
            nextSequence = seq + 1;
            inflight = 0;
            inflightContents = null;
            FlushRecord record = new FlushRecord(seq, start, headerIndex);
            records.addLast(record);
            for (LogOperations op : LogOperations.ALL) {
                op.afterCommit(c, ail, record);
            }
            if (!c.isEmpty()) {
                durableTicket = Math.max(durableTicket, c.lastTicket());
            }
            logBlocksWritten.inc(n);
            if (reason != null) {
                flushCounters.get(reason).inc();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Writes the matching active items in place and syncs them; the tail moves at the next header. */
    private void writeBackMatching(LongPredicate which) throws IOException {
        List<ActiveItems.Entry> entries;
        lock.lock();
        try {
            entries = ail.toWriteBack(which);
        } finally {
            lock.unlock();
        }
        if (entries.isEmpty()) {
            return;
        }
        for (ActiveItems.Entry e : entries) {
            writeBack.writeBack(e.block, e.image.duplicate());
        }
        writeBack.sync();
        lock.lock();
        try {
            for (ActiveItems.Entry e : entries) {
                if (ail.writtenBack(e)) {
                    writtenBack.inc();
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- state

    private void checkUsable() throws IOException {
        if (withdrawn != null) {
            throw new IOException("journal " + io.extents() + " is withdrawn: " + withdrawn.getMessage(), withdrawn);
        }
        if (closed) {
            throw new IOException("journal log is closed");
        }
    }

    private void await() throws IOException {
        try {
            changed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the journal log");
        }
    }

    /** A consistent view of the log's positions, for tests, status and the benchmark. */
    public record State(long nextSequence, long lastHeader, long durableTail, long liveBlocks,
                        long activeItems, long reserved, long pendingBlocks) {
    }

    public State state() {
        lock.lock();
        try {
            return new State(nextSequence, lastHeader, durableTail, live(), ail.size(), reserved, pendingBlocks());
        } finally {
            lock.unlock();
        }
    }

    /**
     * The newest committed image of {@code block} that is not yet written in place (pending, in
     * flight or waiting for write-back), as a private copy; empty when the device has the newest
     * committed contents or the block was freed. A buffer cache that dropped a block reads it
     * through this before going to the device, or it would see stale contents.
     */
    public java.util.Optional<ByteBuffer> committedImage(long block) {
        lock.lock();
        try {
            ByteBuffer b = pending.image(block);
            if (b == null && !pending.isRevoked(block) && inflightContents != null) {
                b = inflightContents.image(block);
                if (b == null && inflightContents.isRevoked(block)) {
                    return java.util.Optional.empty();
                }
            }
            if (b == null && !pending.isRevoked(block)) {
                b = ail.image(block);
            }
            return b == null ? java.util.Optional.empty() : java.util.Optional.of(Buffers.copyOf(b, bsize));
        } finally {
            lock.unlock();
        }
    }

    /** The ticket of the newest commit handed out so far (0 before the first). */
    public long lastTicket() {
        lock.lock();
        try {
            return ticketCounter;
        } finally {
            lock.unlock();
        }
    }

    /** Every commit with a ticket up to this one is durable (in a header the device has synced). */
    public long durableTicket() {
        lock.lock();
        try {
            return durableTicket;
        } finally {
            lock.unlock();
        }
    }

    /** False once the log is closed, abandoned or withdrawn. */
    public boolean isUsable() {
        lock.lock();
        try {
            return !closed && withdrawn == null;
        } finally {
            lock.unlock();
        }
    }

    /** Flushes counted under {@code reason} so far. */
    public long flushCount(FlushReason reason) {
        return flushCounters.get(reason).getCount();
    }

    public MetricRegistry metrics() {
        return cfg.metrics();
    }
}
