package org.gfs2j.journal.log;

import com.codahale.metrics.MetricRegistry;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * How a node's log is written: who it belongs to (journal id, dinode addresses that go into every
 * header), the flush policy, time, metrics, and where write-back goes.
 */
public final class LogConfig {
    private int jid;
    private long jinodeAddr;
    private long statfsAddr;
    private long quotaAddr;
    private FlushPolicy policy;
    private Clock clock = Clock.systemUTC();
    private MetricRegistry metrics = new MetricRegistry();
    private WriteBackTarget writeBack;
    private Supplier<long[]> localStatfs = () -> new long[3];
    private boolean recoverOnOpen = true;

    public static LogConfig create() {
        return new LogConfig();
    }

    /** Journal id: {@code mh_jid} of the log blocks. */
    public LogConfig jid(int v) {
        jid = v;
        return this;
    }

    /** {@code no_addr} of journalN's dinode ({@code lh_jinode}). */
    public LogConfig jinodeAddr(long v) {
        jinodeAddr = v;
        return this;
    }

    /** {@code no_addr} of statfs_changeN and quota_changeN ({@code lh_statfs_addr}, {@code lh_quota_addr}). */
    public LogConfig perNodeAddrs(long statfs, long quota) {
        statfsAddr = statfs;
        quotaAddr = quota;
        return this;
    }

    public LogConfig policy(FlushPolicy v) {
        policy = v;
        return this;
    }

    public LogConfig clock(Clock v) {
        clock = v;
        return this;
    }

    public LogConfig metrics(MetricRegistry v) {
        metrics = v;
        return this;
    }

    /** Where committed blocks are written in place; default: straight to the device. */
    public LogConfig writeBack(WriteBackTarget v) {
        writeBack = v;
        return this;
    }

    /**
     * This node's statfs deltas not yet folded into master statfs, recorded in every header
     * ({@code lh_local_total/free/dinodes}) so recovery can fold them in.
     */
    public LogConfig localStatfs(Supplier<long[]> v) {
        localStatfs = v;
        return this;
    }

    /** Replay the journal when opening it dirty (own journal after a crash); default true. */
    public LogConfig recoverOnOpen(boolean v) {
        recoverOnOpen = v;
        return this;
    }

    int jid() {
        return jid;
    }

    long jinodeAddr() {
        return jinodeAddr;
    }

    long statfsAddr() {
        return statfsAddr;
    }

    long quotaAddr() {
        return quotaAddr;
    }

    FlushPolicy policy(long journalBlocks) {
        return policy != null ? policy : FlushPolicy.groupCommit(journalBlocks);
    }

    Clock clock() {
        return clock;
    }

    MetricRegistry metrics() {
        return metrics;
    }

    WriteBackTarget writeBack() {
        return writeBack;
    }

    Supplier<long[]> localStatfs() {
        return localStatfs;
    }

    boolean recoverOnOpen() {
        return recoverOnOpen;
    }
}
