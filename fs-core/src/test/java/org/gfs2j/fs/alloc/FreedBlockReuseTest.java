package org.gfs2j.fs.alloc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.ondisk.Inum;
import org.gfs2j.fs.ondisk.RgrpBitmap;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.journal.log.FlushReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocks freed by a transaction are not allocated again before the log has made that transaction
 * durable (the kernel's clone bitmap), so freeing transactions need not wait for the log.
 */
class FreedBlockReuseTest {
    @TempDir
    Path dir;

    private static List<Long> allocate(TestMount m, long goal, int count) throws Exception {
        try (FsTransaction tx = FsTransaction.begin(m.cache, m.alloc.logBlocksFor(m.rgrps.size()), 0)) {
            List<Long> out = blocks(m.alloc.allocate(tx, goal, count));
            tx.commit();
            return out;
        }
    }

    private static List<Long> blocks(List<BlockRun> runs) {
        List<Long> out = new ArrayList<>();
        for (BlockRun r : runs) {
            for (long b = r.start(); b < r.end(); b++) {
                out.add(b);
            }
        }
        return out;
    }

    /** Frees data blocks in one transaction (committed, not waited for); returns its ticket. */
    private static long free(TestMount m, List<Long> blocks) throws Exception {
        try (FsTransaction tx = FsTransaction.begin(m.cache, m.alloc.logBlocksFor(m.rgrps.size()), 0)) {
            for (long b : blocks) {
                m.alloc.free(tx, b, 1, false);
            }
            return tx.commit();
        }
    }

    private static void freeAll(TestMount m, List<Long> unsorted) throws Exception {
        List<Long> blocks = new ArrayList<>(unsorted);
        blocks.sort(null); // rgrp glocks ascending
        for (int i = 0; i < blocks.size(); i += 2000) {
            free(m, blocks.subList(i, Math.min(blocks.size(), i + 2000)));
        }
    }

    private static Rgrp dataRgrp(TestMount m) {
        for (Rgrp rg : m.rgrps.all()) {
            if (rg.isLoaded() ? rg.free() > 1000 : rg.index().data() > 1000) {
                return rg;
            }
        }
        throw new AssertionError("no rgrp with room");
    }

    @Test
    void aFreedBlockIsReusedOnlyAfterTheLogFlush() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        try (TestMount m = TestMount.open(img, 256)) {
            long goal = m.rgrps.get(m.rgrps.size() - 1).index().data0();
            List<Long> first = allocate(m, goal, 10);
            m.log.fsync();
            Rgrp rg = m.rgrps.containing(first.get(0));
            long free0 = m.alloc.freeBlocks();

            long ticket = free(m, first);
            assertTrue(m.log.durableTicket() < ticket, "the free is not durable yet");
            assertEquals(free0 + 10, m.alloc.freeBlocks(), "statfs counts blocks waiting for the log as free");
            assertEquals(10, rg.notDurableFree());
            for (long b : first) {
                assertEquals(RgrpBitmap.FREE, rg.state(b));
            }

            List<Long> second = allocate(m, goal, 10);
            Set<Long> overlap = new HashSet<>(second);
            overlap.retainAll(first);
            assertTrue(overlap.isEmpty(), "blocks freed by a transaction not yet durable were handed out: " + overlap);
            assertEquals(0, m.alloc.freeFlushCount(), "other free space was there: no flush needed");

            m.log.fsync();
            assertTrue(m.log.durableTicket() >= ticket);
            List<Long> third = allocate(m, goal, 10);
            assertEquals(first, third, "after the flush the freed blocks are the first free ones at the goal again");
            assertEquals(0, rg.notDurableFree());

            freeAll(m, second);
            freeAll(m, third);
        }
        Gfs2Tools.assertFsckClean(img);
    }

    /** Another node asking for the rgrp: the demote syncs the log, so nothing is left waiting. */
    @Test
    void anRgrpDemoteMakesTheFreesDurableAndReleasesThem() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 64, 32, 4096);
        try (TestMount m = TestMount.open(img, 256)) {
            List<Long> blocks = allocate(m, dataRgrp(m).index().data0(), 6);
            Rgrp rg = m.rgrps.containing(blocks.get(0));
            long ticket = free(m, blocks);
            assertEquals(6, rg.notDurableFree());
            assertTrue(m.log.durableTicket() < ticket);
            assertTrue(m.demote(rg.glockName(), org.gfs2j.fs.glock.GlockState.UN), "rgrp glock cached");
            assertTrue(m.log.durableTicket() >= ticket, "the demote synced the log");
            assertEquals(0, rg.notDurableFree(), "the invalidate released the durable frees");
            List<Long> again = allocate(m, blocks.get(0), 6);
            assertEquals(blocks, again);
            assertEquals(0, m.alloc.freeFlushCount());
            freeAll(m, again);
        }
        Gfs2Tools.assertFsckClean(img);
    }

    @Test
    void anAbortedFreeLeavesNothingWaiting() throws Exception {
        Path img = TestMount.mkfs(dir, "img", 64, 32, 4096);
        try (TestMount m = TestMount.open(img, 256)) {
            List<Long> blocks = allocate(m, dataRgrp(m).index().data0(), 5);
            Rgrp rg = m.rgrps.containing(blocks.get(0));
            try (FsTransaction tx = FsTransaction.begin(m.cache, m.alloc.logBlocksFor(1), 0)) {
                for (long b : blocks) {
                    m.alloc.free(tx, b, 1, false);
                }
                assertEquals(5, rg.notDurableFree(), "held back while the transaction is open");
                // closed without commit
            }
            m.log.fsync();
            List<Long> more = allocate(m, rg.index().data0(), 5);
            Set<Long> overlap = new HashSet<>(more);
            overlap.retainAll(blocks);
            assertTrue(overlap.isEmpty(), "the aborted free did not happen: " + overlap);
            assertEquals(0, rg.notDurableFree());
            freeAll(m, blocks);
            freeAll(m, more);
        }
        Gfs2Tools.assertFsckClean(img);
    }

    @Test
    void withOnlyNotYetDurableFreeSpaceAllocationFlushesTheLogAndSucceeds() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 72, 32, 4096);
        try (TestMount m = TestMount.open(img, 256)) {
            // fill the file system
            List<Long> all = new ArrayList<>();
            long left = m.alloc.freeBlocks();
            while (left > 0) {
                int n = (int) Math.min(left, 2000);
                all.addAll(allocate(m, 0, n));
                left -= n;
            }
            m.log.fsync();
            assertEquals(0, m.alloc.freeBlocks());
            assertThrows(NoSpaceException.class, () -> allocate(m, 0, 1));
            assertEquals(0, m.alloc.freeFlushCount(), "nothing to wait for: ENOSPC without a flush");

            // data blocks: allocate() flushes and takes them
            List<Long> freed = new ArrayList<>(all.subList(100, 105));
            long ticket = free(m, freed);
            assertTrue(m.log.durableTicket() < ticket);
            List<Long> again = allocate(m, 0, 5);
            assertEquals(freed, again);
            assertEquals(1, m.alloc.freeFlushCount());
            assertTrue(m.log.durableTicket() >= ticket, "the allocation made the free durable");

            // a dinode: allocateDinode() flushes and takes it
            List<Long> one = List.of(all.get(200));
            free(m, one);
            Inum dinode;
            try (FsTransaction tx = FsTransaction.begin(m.cache, m.alloc.logBlocksFor(m.rgrps.size()), 1)) {
                dinode = m.alloc.allocateDinode(tx, 0);
                tx.commit();
            }
            assertEquals(one.get(0), dinode.addr());
            assertEquals(2, m.alloc.freeFlushCount());
            try (FsTransaction tx = FsTransaction.begin(m.cache, m.alloc.logBlocksFor(m.rgrps.size()), 1)) {
                m.alloc.freeDinode(tx, dinode.addr());
                tx.commit();
            }

            // reserveRgrps() before a transaction: the dinode block just freed, plus three data blocks
            List<Long> three = new ArrayList<>(all.subList(300, 303));
            free(m, three);
            try (RgrpLocks locks = m.alloc.reserveRgrps(0, 4)) {
                assertEquals(3, m.alloc.freeFlushCount(), "reserving flushed the log");
                try (FsTransaction tx = FsTransaction.begin(m.cache, m.alloc.logBlocksFor(m.rgrps.size()), 0)) {
                    m.alloc.use(tx, locks);
                    List<Long> got = blocks(m.alloc.allocate(tx, 0, 4));
                    assertEquals(3, m.alloc.freeFlushCount(), "the reservation had made them allocatable");
                    assertTrue(got.containsAll(three) && got.contains(dinode.addr()), "got " + got);
                    tx.commit();
                }
            }
            assertEquals(0, m.alloc.freeBlocks());
            freeAll(m, all);
        }
        Gfs2Tools.assertFsckClean(img);
    }

    // ---------------------------------------------------------------- crash through the VFS

    private static byte[] n(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private static void write(ReadWriteGfs2Vfs vfs, long ino, byte[] data) throws Exception {
        long h = vfs.open(ino, 2);
        try {
            assertEquals(data.length, vfs.write(h, 0, ByteBuffer.wrap(data)));
        } finally {
            vfs.release(h);
        }
    }

    private static void assertContents(Path img, String name, byte[] expected) throws Exception {
        try (FileSystemReader r = FileSystemReader.open(img)) {
            Inode f = r.lookup(r.root(), name).orElseThrow(() -> new AssertionError(name + " lost"));
            assertEquals(expected.length, f.dinode().size(), name + " size");
            assertArrayEquals(expected, r.file(f).readAll(Integer.MAX_VALUE), name + " was overwritten by another file's data");
        }
    }

    /**
     * Removes a file (its dinode and data blocks freed without waiting for the log), writes another
     * file's data in place, and crashes before the log flush: replay (our mount, and fsck.gfs2 -y)
     * brings the removed file back, and neither its dinode nor its data may hold the new data.
     */
    @Test
    void crashAfterAnUnflushedRemoveAndADataWriteRevivesTheRemovedFileIntact() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        Path crashed = dir.resolve("crashed.img");
        int bsize = 4096;
        byte[] old = filled(8 * bsize, 0xAA);
        byte[] fresh = filled(12 * bsize, 0xBB);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            // b's dinode first, then a's dinode and data after it: b's data goal (near its dinode)
            // finds a's blocks first once they are free
            long b = vfs.mknod(root, n("b"), 0100644, 0, 0, 0).ino();
            long a = vfs.mknod(root, n("a"), 0100644, 0, 0, 0).ino();
            write(vfs, a, old);
            vfs.syncAll();
            // a's metadata in place, nothing of it left to replay
            vfs.fileSystem().log.writeBackAll(FlushReason.EXPLICIT);

            long freeBefore = vfs.statfs().bfree();
            vfs.unlink(root, n("a"));
            vfs.forget(a, 1); // the last reference: a is deallocated now
            assertTrue(vfs.statfs().bfree() >= freeBefore + 9, "a's dinode and data were freed");
            assertTrue(vfs.fileSystem().log.durableTicket() < vfs.fileSystem().log.lastTicket(),
                    "the remove is not durable yet");
            write(vfs, b, fresh);
            Files.copy(img, crashed); // the node dies before the log flush
        }
        Gfs2Tools.assertFsckClean(img);

        Path fsckCopy = dir.resolve("fsck.img");
        Files.copy(crashed, fsckCopy);
        Gfs2Tools.Result r = Gfs2Tools.run(List.of(Gfs2Tools.requireTool("fsck.gfs2").toString(), "-y", fsckCopy.toString()));
        assertTrue(r.exit() == 0 || r.exit() == 1, "fsck.gfs2 -y exit " + r.exit() + ":\n" + r.output());
        Gfs2Tools.assertFsckClean(fsckCopy);
        assertContents(fsckCopy, "a", old);

        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(crashed, MountConfig.of(0))) {
            assertTrue(vfs.isWritable());
        }
        Gfs2Tools.assertFsckClean(crashed);
        assertContents(crashed, "a", old);
    }
}
