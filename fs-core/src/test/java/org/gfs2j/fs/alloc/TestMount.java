package org.gfs2j.fs.alloc;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gfs2j.dlm.node.InProcessLockManager;
import org.gfs2j.fs.cache.BufferCache;
import org.gfs2j.fs.glock.GlockConfig;
import org.gfs2j.fs.glock.GlockManager;
import org.gfs2j.fs.glock.GlockOperationsTable;
import org.gfs2j.fs.glock.GlockScheduler;
import org.gfs2j.fs.glock.PageCacheNotifier;
import org.gfs2j.fs.meta.DeviceBlockSource;
import org.gfs2j.fs.meta.Extent;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.mkfs.Mkfs;
import org.gfs2j.fs.mkfs.MkfsOptions;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.log.FlushPolicy;
import org.gfs2j.journal.log.JournalExtents;
import org.gfs2j.journal.log.JournalIo;
import org.gfs2j.journal.log.JournalLog;
import org.gfs2j.journal.log.LogConfig;

/**
 * The read-write stack of a single-node mount, as tests build it: device, buffer cache, journal 0
 * (replayed if dirty), glocks on an in-process lock manager with a manual worker, statfs account,
 * rgrps, allocator. {@link #close} unmounts cleanly; {@link #crash} stops without writing.
 */
public final class TestMount implements AutoCloseable {
    public final Path image;
    public final BlockDevice device;
    public final BufferCache cache;
    public final JournalLog log;
    public final InProcessLockManager dlm;
    public final ManualWorker worker = new ManualWorker();
    public final GlockManager glocks;
    public final FileSystemReader reader;
    public final Geometry geo;
    public final StatfsAccount statfs;
    public final ResourceGroupSet rgrps;
    public final Allocator alloc;
    public final long rootAddr;

    /** Demote worker that runs only when the test says so. */
    public static final class ManualWorker implements GlockScheduler {
        private final ArrayDeque<Runnable> ready = new ArrayDeque<>();

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public synchronized void execute(Runnable task) {
            ready.add(task);
        }

        @Override
        public synchronized void schedule(Runnable task, long delayNanos) {
            ready.add(task);
        }

        public int runAll() {
            int n = 0;
            while (true) {
                Runnable r;
                synchronized (this) {
                    r = ready.poll();
                }
                if (r == null) {
                    return n;
                }
                r.run();
                n++;
            }
        }
    }

    /**
     * Demotes {@code name} to {@code target} as if another node asked, runs the worker and waits
     * (bounded) for the DLM to confirm the conversion, so the next acquire starts from a settled
     * glock. Returns false if the glock was not cached.
     */
    public boolean demote(org.gfs2j.fs.glock.GlockName name, org.gfs2j.fs.glock.GlockState target)
            throws InterruptedException {
        org.gfs2j.fs.glock.Glock g = glocks.find(name);
        if (g == null) {
            return false;
        }
        int before = g.demotions();
        glocks.forceDemote(name, target);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (g.demotions() == before || g.pendingDemote() != null) {
            if (worker.runAll() == 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("demote of " + name + " did not complete: " + g.dump());
                }
                Thread.sleep(1); // the DLM's completion arrives on its own thread
            }
        }
        worker.runAll();
        return true;
    }

    /** mkfs (ours) on a sparse image of {@code mib} MiB with {@code rgMib} MiB rgrps. */
    public static Path mkfs(Path dir, String name, int mib, int rgMib, int bsize) throws Exception {
        Path img = Gfs2Tools.sparseFile(dir, name, (long) mib << 20);
        try (BlockDevice dev = BlockDevices.open(img, false, 0)) {
            Mkfs.format(dev, MkfsOptions.defaults().withBlockSize(bsize).withRgSize(rgMib).withJournalSize(8));
        }
        return img;
    }

    public static TestMount open(Path image, int maxClean) throws IOException {
        return open(image, maxClean, null);
    }

    public static TestMount open(Path image, int maxClean, FlushPolicy policy) throws IOException {
        return new TestMount(image, maxClean, policy);
    }

    private TestMount(Path image, int maxClean, FlushPolicy policy) throws IOException {
        this.image = image;
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            device = BlockDevices.open(image, false, 0);
            opened.add(device);
            // journal location and per-node files, read straight from the device before replay
            long jinode;
            long statfsChange;
            long quotaChange;
            JournalExtents extents;
            int bsize;
            {
                FileSystemReader raw = new FileSystemReader(new DeviceBlockSource(device,
                        probeBsize(device)), null);
                bsize = raw.geometry().bsize();
                var j = raw.journal(0);
                jinode = j.inode().addr();
                List<JournalExtents.Extent> ext = new ArrayList<>();
                for (Extent e : j.extents()) {
                    ext.add(new JournalExtents.Extent(e.logical(), e.device(), e.length()));
                }
                extents = new JournalExtents(ext);
                Inode perNode = raw.systemFile("per_node");
                statfsChange = raw.lookup(perNode, "statfs_change0").orElseThrow().addr();
                quotaChange = raw.lookup(perNode, "quota_change0").orElseThrow().addr();
            }
            cache = new BufferCache(device, bsize, maxClean);
            StatfsAccount[] account = new StatfsAccount[1];
            LogConfig cfg = LogConfig.create().jid(0).jinodeAddr(jinode).perNodeAddrs(statfsChange, quotaChange)
                    .writeBack(cache)
                    .localStatfs(() -> account[0] == null ? new long[3] : account[0].localArray());
            if (policy != null) {
                cfg.policy(policy);
            }
            log = JournalLog.open(new JournalIo(device, extents, bsize), cfg);
            cache.attachLog(log);
            dlm = new InProcessLockManager();
            opened.add(dlm);
            glocks = new GlockManager(dlm.openLockspace("gfs2j-test"),
                    GlockOperationsTable.standard(cache, cache, PageCacheNotifier.NONE), worker,
                    GlockConfig.singleNodeMount());
            reader = new FileSystemReader(cache, null);
            geo = reader.geometry();
            rootAddr = reader.superblock().rootDir().addr();
            statfs = StatfsAccount.open(reader, cache, glocks, 0);
            account[0] = statfs;
            rgrps = ResourceGroupSet.load(reader);
            alloc = new Allocator(rgrps, cache, glocks, statfs);
        } catch (IOException | RuntimeException e) {
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // already failing
                }
            }
            throw e;
        }
    }

    private static int probeBsize(BlockDevice dev) throws IOException {
        var b = dev.readBlock(Geometry.SB_BYTE_OFFSET / 512, 512);
        return b.getInt(org.gfs2j.fs.ondisk.Superblock.OFF_BSIZE);
    }

    /** Clean unmount: statfs stays as it is (call statfs.sync() first for fsck), log written back. */
    @Override
    public void close() throws IOException {
        try {
            statfs.sync(); // as the kernel does at unmount
            statfs.close();
            worker.runAll();
            log.close();
            glocks.close();
            worker.runAll();
        } finally {
            dlm.close();
            device.close();
        }
    }

    /** Stops as a crash would: nothing more reaches the device. */
    public void crash() throws IOException {
        log.abandon();
        try {
            // no glocks.close(): its demotes would try to sync through the abandoned log
            statfs.close();
        } finally {
            dlm.close();
            device.close();
        }
    }

}
