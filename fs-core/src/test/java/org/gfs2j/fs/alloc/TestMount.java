package org.gfs2j.fs.alloc;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import org.gfs2j.dlm.node.InProcessLockManager;
import org.gfs2j.fs.cache.BufferCache;
import org.gfs2j.fs.mount.Gfs2FileSystem;
import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.glock.GlockManager;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.mkfs.Mkfs;
import org.gfs2j.fs.mkfs.MkfsOptions;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.log.FlushPolicy;
import org.gfs2j.journal.log.JournalLog;

/**
 * A {@link Gfs2FileSystem} on journal 0 with a manual glock worker (demotes run when the test
 * says so), its parts exposed as fields for the allocation and cache tests. {@link #close} unmounts cleanly; {@link #crash} stops without writing.
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
    public final Gfs2FileSystem fs;

    /** Demote worker that runs only when the test says so. */
    public static final class ManualWorker implements Gfs2FileSystem.Drainable {
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

        @Override
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
        fs = Gfs2FileSystem.mount(image, MountConfig.of(0).withMaxCleanBuffers(maxClean)
                .withFlushPolicy(policy).withScheduler(worker));
        device = fs.device;
        cache = fs.cache;
        log = fs.log;
        dlm = fs.dlm;
        glocks = fs.glocks;
        reader = fs.reader;
        geo = fs.geo;
        rootAddr = fs.rootAddr;
        statfs = fs.statfs;
        rgrps = fs.rgrps;
        alloc = fs.alloc;
    }

    /** Clean unmount (statfs synced, log written back, glocks released). */
    @Override
    public void close() throws IOException {
        fs.unmount();
    }

    /** Stops as a crash would: nothing more reaches the device. */
    public void crash() throws IOException {
        fs.crash();
    }
}
