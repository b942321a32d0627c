package org.gfs2j.fs.mount;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.dlm.node.InProcessLockManager;
import org.gfs2j.fs.alloc.Allocator;
import org.gfs2j.fs.alloc.ResourceGroupSet;
import org.gfs2j.fs.alloc.StatfsAccount;
import org.gfs2j.fs.cache.BufferCache;
import org.gfs2j.fs.glock.ExecutorGlockScheduler;
import org.gfs2j.fs.glock.GlockConfig;
import org.gfs2j.fs.glock.GlockManager;
import org.gfs2j.fs.glock.GlockOperationsTable;
import org.gfs2j.fs.glock.GlockScheduler;
import org.gfs2j.fs.glock.PageCacheNotifier;
import org.gfs2j.fs.meta.DeviceBlockSource;
import org.gfs2j.fs.meta.Extent;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.meta.Journal;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.Superblock;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.log.JournalExtents;
import org.gfs2j.journal.log.JournalIo;
import org.gfs2j.journal.log.JournalLog;
import org.gfs2j.journal.log.LogConfig;

/**
 * The read-write stack of a single-node mount: device, metadata buffer cache, this node's journal
 * (replayed by {@link JournalLog#open} when dirty), glocks over the in-process lock manager, the
 * statfs account, resource groups and the allocator (docs/allocation.md "Wiring").
 * {@link #unmount} syncs statfs, writes the log back and leaves a clean log header;
 * {@link #crash} stops without writing anything more (tests).
 */
public final class Gfs2FileSystem implements AutoCloseable {
    public final BlockDevice device;
    public final BufferCache cache;
    public final JournalLog log;
    public final InProcessLockManager dlm;
    public final GlockScheduler scheduler;
    public final GlockManager glocks;
    public final FileSystemReader reader;
    public final Geometry geo;
    public final StatfsAccount statfs;
    public final ResourceGroupSet rgrps;
    public final Allocator alloc;
    public final long rootAddr;
    public final int jid;
    private final boolean ownsDevice;
    private final ExecutorGlockScheduler ownScheduler;
    private boolean closed;

    /** Opens {@code image} read-write and mounts it; the device is closed at unmount. */
    public static Gfs2FileSystem mount(Path image, MountConfig config) throws IOException {
        BlockDevice dev = BlockDevices.open(image, false, 0);
        try {
            return new Gfs2FileSystem(dev, true, config);
        } catch (IOException | RuntimeException e) {
            dev.close();
            throw e;
        }
    }

    /** Mounts an open device; the caller keeps ownership of it. */
    public static Gfs2FileSystem mount(BlockDevice device, MountConfig config) throws IOException {
        return new Gfs2FileSystem(device, false, config);
    }

    private Gfs2FileSystem(BlockDevice device, boolean ownsDevice, MountConfig config) throws IOException {
        this.device = device;
        this.ownsDevice = ownsDevice;
        this.jid = config.jid();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            // Journal location and per-node files, read straight from the device: nothing may be
            // cached from before the replay that JournalLog.open does.
            FileSystemReader raw = new FileSystemReader(new DeviceBlockSource(device, probeBsize(device)), null);
            int bsize = raw.geometry().bsize();
            List<Journal> journals = raw.journals();
            if (jid >= journals.size()) {
                throw new IOException("journal " + jid + " does not exist (the file system has "
                        + journals.size() + " journals)");
            }
            Journal j = raw.journal(jid);
            List<JournalExtents.Extent> ext = new ArrayList<>();
            for (Extent e : j.extents()) {
                ext.add(new JournalExtents.Extent(e.logical(), e.device(), e.length()));
            }
            Inode perNode = raw.systemFile("per_node");
            long statfsChange = raw.lookup(perNode, "statfs_change" + jid).orElseThrow(
                    () -> new IOException("per_node/statfs_change" + jid + " is missing")).addr();
            long quotaChange = raw.lookup(perNode, "quota_change" + jid).orElseThrow(
                    () -> new IOException("per_node/quota_change" + jid + " is missing")).addr();

            cache = new BufferCache(device, bsize, config.maxCleanBuffers());
            StatfsAccount[] account = new StatfsAccount[1];
            LogConfig cfg = LogConfig.create().jid(jid).jinodeAddr(j.inode().addr())
                    .perNodeAddrs(statfsChange, quotaChange)
                    .writeBack(cache)
                    .localStatfs(() -> account[0] == null ? new long[3] : account[0].localArray());
            if (config.flushPolicy() != null) {
                cfg.policy(config.flushPolicy());
            }
            log = JournalLog.open(new JournalIo(device, new JournalExtents(ext), bsize), cfg);
            opened.add(log::abandon);
            cache.attachLog(log);
            dlm = new InProcessLockManager();
            opened.add(dlm);
            if (config.scheduler() != null) {
                scheduler = config.scheduler();
                ownScheduler = null;
            } else {
                ownScheduler = new ExecutorGlockScheduler("gfs2j-glock-j" + jid);
                scheduler = ownScheduler;
                opened.add(ownScheduler);
            }
            glocks = new GlockManager(dlm.openLockspace("gfs2j"),
                    GlockOperationsTable.standard(cache, cache, PageCacheNotifier.NONE), scheduler,
                    GlockConfig.singleNodeMount());
            reader = new FileSystemReader(cache, null);
            geo = reader.geometry();
            rootAddr = reader.superblock().rootDir().addr();
            statfs = StatfsAccount.open(reader, cache, glocks, jid);
            account[0] = statfs;
            rgrps = ResourceGroupSet.load(reader);
            alloc = new Allocator(rgrps, cache, glocks, statfs);
        } catch (IOException | RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception ignored) {
                    // already failing; the first error is the one to report
                }
            }
            throw e;
        }
    }

    private static int probeBsize(BlockDevice dev) throws IOException {
        var b = dev.readBlock(Geometry.SB_BYTE_OFFSET / 512, 512);
        return b.getInt(Superblock.OFF_BSIZE);
    }

    /** Runs queued glock work when the scheduler is a manual one (no-op otherwise). */
    private void drainScheduler() {
        if (scheduler instanceof Drainable d) {
            d.runAll();
        }
    }

    /** A scheduler whose queued work the mount runs itself at unmount (tests' manual workers). */
    public interface Drainable extends GlockScheduler {
        int runAll();
    }

    /** Clean unmount: statfs synced into master, log written back with a clean header, glocks released. */
    public synchronized void unmount() throws IOException {
        if (closed) {
            return;
        }
        if (!log.isUsable()) {
            // withdrawn: no clean log header over an inconsistent state; the journal stays dirty for replay
            crash();
            return;
        }
        closed = true;
        try {
            statfs.sync(); // as the kernel does at unmount: master = Σ rgrps for fsck
            statfs.close();
            drainScheduler();
            log.close();
            glocks.close();
            drainScheduler();
        } finally {
            try {
                dlm.close();
            } finally {
                if (ownScheduler != null) {
                    ownScheduler.close();
                }
                if (ownsDevice) {
                    device.close();
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        unmount();
    }

    /** Stops as a crash would: nothing more reaches the device. */
    public synchronized void crash() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        log.abandon();
        try {
            // no glocks.close(): its demotes would try to sync through the abandoned log
            statfs.close();
        } finally {
            dlm.close();
            if (ownScheduler != null) {
                ownScheduler.close();
            }
            if (ownsDevice) {
                device.close();
            }
        }
    }
}
