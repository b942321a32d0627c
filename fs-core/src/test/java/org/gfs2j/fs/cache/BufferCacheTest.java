package org.gfs2j.fs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.glock.GlockState;
import org.gfs2j.fs.glock.Holder;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The buffer cache's rules, on a real journal and glocks over an image made by our mkfs. */
class BufferCacheTest {
    @TempDir
    Path dir;

    private long deviceMtime(TestMount m, long block) throws Exception {
        return m.device.readBlock(block, m.geo.bsize()).getLong(Dinode.OFF_MTIME);
    }

    /** Sets a dinode's mtime in a committed (not written back) transaction. */
    private static void touch(TestMount m, long dinode, long mtime) throws Exception {
        try (FsTransaction tx = FsTransaction.begin(m.cache, 1, 0)) {
            tx.modify(dinode, GlockName.inode(dinode)).putLong(Dinode.OFF_MTIME, mtime);
            tx.commit();
        }
    }

    /** Dinode blocks of the system files and root (all exist after mkfs). */
    private static List<Long> dinodes(TestMount m) throws Exception {
        List<Long> out = new ArrayList<>();
        out.add(m.rootAddr);
        for (String f : List.of("jindex", "per_node", "inum", "statfs", "rindex", "quota")) {
            out.add(m.reader.systemFile(f).addr());
        }
        return out;
    }

    @Test
    void missesReadCommittedImagesBeforeWriteBack() throws Exception {
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        try (TestMount m = TestMount.open(img, 64)) {
            long old = deviceMtime(m, m.rootAddr);
            touch(m, m.rootAddr, 1234567);
            m.log.fsync();
            assertEquals(old, deviceMtime(m, m.rootAddr), "committed, durable in the log, not yet in place");
            assertTrue(m.cache.isDirty(m.rootAddr));
            // a cache that does not have the block (dropped it, or never read it) reads through the log
            BufferCache fresh = new BufferCache(m.device, m.geo.bsize(), 8);
            fresh.attachLog(m.log);
            assertEquals(1234567, fresh.read(m.rootAddr).getLong(Dinode.OFF_MTIME));
            BufferCache blind = new BufferCache(m.device, m.geo.bsize(), 8);
            assertEquals(old, blind.read(m.rootAddr).getLong(Dinode.OFF_MTIME), "the device alone is stale");
            // write-back goes through the cache and makes the buffer clean
            m.log.writeBackAll(org.gfs2j.journal.log.FlushReason.EXPLICIT);
            assertEquals(1234567, deviceMtime(m, m.rootAddr));
            assertFalse(m.cache.isDirty(m.rootAddr));
            assertTrue(m.cache.stats().writtenBack() >= 1);
        }
    }

    @Test
    void evictionNeverDropsDirtyOrPinnedBuffers() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        try (TestMount m = TestMount.open(img, 4)) {
            List<Long> dirty = dinodes(m);
            for (long b : dirty) {
                touch(m, b, 42);
            }
            long pinnedBlock = m.reader.systemFile("statfs").addr() + 1000; // some unrelated block
            try (FsTransaction tx = FsTransaction.begin(m.cache, 1, 0)) {
                ByteBuffer copy = tx.modify(m.reader.master().addr(), GlockName.inode(m.reader.master().addr()));
                copy.putLong(Dinode.OFF_MTIME, 77);
                for (long b = 0; b < 64; b++) {
                    m.cache.read(pinnedBlock + b);
                }
                BufferCache.Stats s = m.cache.stats();
                assertTrue(s.clean() <= 4, "clean buffers bounded: " + s);
                assertTrue(s.evictions() >= 60, s.toString());
                assertEquals(1, s.pinned());
                assertTrue(m.cache.contains(m.reader.master().addr()), "pinned buffer kept");
                for (long b : dirty) {
                    assertTrue(m.cache.contains(b) && m.cache.isDirty(b), "dirty buffer " + b + " kept");
                }
                // the transaction's change is private until commit
                assertEquals(0L + deviceMtime(m, m.reader.master().addr()),
                        m.cache.read(m.reader.master().addr()).getLong(Dinode.OFF_MTIME));
                // abandoned: never committed
            }
            assertEquals(0, m.cache.stats().pinned());
            assertEquals(deviceMtime(m, m.reader.master().addr()),
                    m.cache.read(m.reader.master().addr()).getLong(Dinode.OFF_MTIME));
            for (long b : dirty) {
                assertEquals(42, m.cache.read(b).getLong(Dinode.OFF_MTIME));
            }
        }
        Gfs2Tools.assertFsckClean(img);
    }

    @Test
    void invalidateDropsOnlyThatGlocksCleanBuffers() throws Exception {
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        try (TestMount m = TestMount.open(img, 64)) {
            GlockName a = GlockName.inode(1000);
            GlockName b = GlockName.inode(2000);
            m.cache.read(30, a);
            m.cache.read(31, a);
            m.cache.read(32, b);
            assertEquals(a, m.cache.glockOf(30));
            m.cache.invalidate(a, true);
            assertFalse(m.cache.contains(30));
            assertFalse(m.cache.contains(31));
            assertTrue(m.cache.contains(32));
            m.cache.invalidate(b, false); // going to DF keeps metadata
            assertTrue(m.cache.contains(32));

            GlockName root = GlockName.inode(m.rootAddr);
            touch(m, m.rootAddr, 99);
            assertTrue(m.cache.isDirty(root));
            m.cache.invalidate(root, true);
            assertTrue(m.cache.contains(m.rootAddr), "a dirty buffer is never dropped");
            assertEquals(1, m.cache.stats().dirtyKeptOnInvalidate());
            m.cache.flush(root);
            m.cache.writeBack(root);
            assertFalse(m.cache.isDirty(root));
            assertEquals(99, deviceMtime(m, m.rootAddr));
            m.cache.invalidate(root, true);
            assertFalse(m.cache.contains(m.rootAddr));
            assertEquals(99, m.cache.read(m.rootAddr).getLong(Dinode.OFF_MTIME));
        }
    }

    @Test
    void forcedDemoteSyncsThenInvalidates() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        try (TestMount m = TestMount.open(img, 64)) {
            GlockName root = GlockName.inode(m.rootAddr);
            long old = deviceMtime(m, m.rootAddr);
            try (Holder h = m.glocks.acquire(root, GlockState.EX)) {
                touch(m, m.rootAddr, 31337);
            }
            assertEquals(old, deviceMtime(m, m.rootAddr));
            assertTrue(m.demote(root, GlockState.UN));
            assertEquals(31337, deviceMtime(m, m.rootAddr), "demote wrote the block in place");
            assertFalse(m.cache.contains(m.rootAddr), "and dropped it");
            // and the log will not replay an older copy over it: the copy was revoked
            assertTrue(m.log.committedImage(m.rootAddr).isEmpty());
            try (Holder h = m.glocks.acquire(root, GlockState.SH)) {
                assertEquals(31337, m.cache.read(m.rootAddr, root).getLong(Dinode.OFF_MTIME));
            }
        }
        Gfs2Tools.assertFsckClean(img);
    }

    @Test
    void aBlockLastLoggedByAnotherNodeBecomesCleanAfterWriteBack() throws Exception {
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        long rootAddr;
        try (TestMount m = TestMount.open(img, 64)) {
            rootAddr = m.rootAddr;
        }
        // as if node 5 had journaled the root dinode last: mh_jid = 5 on disk
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(img,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).putInt(0, 5), rootAddr * 4096 + 20);
        }
        try (TestMount m = TestMount.open(img, 64)) {
            touch(m, m.rootAddr, 555);
            m.log.writeBackAll(org.gfs2j.journal.log.FlushReason.EXPLICIT);
            assertFalse(m.cache.isDirty(m.rootAddr), "the journal's mh_jid stamp does not keep the buffer dirty");
            assertEquals(0, m.device.readBlock(m.rootAddr, 4096).getInt(20), "logged by jid 0");
            assertEquals(0, m.cache.read(m.rootAddr).getInt(20), "the cache has what the device has");
            assertEquals(555, deviceMtime(m, m.rootAddr));
        }
    }

    @Test
    void discardDropsACleanCopyOfABlockWrittenStraightToTheDevice() throws Exception {
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        try (TestMount m = TestMount.open(img, 64)) {
            long data = m.rgrps.get(m.rgrps.size() - 1).index().data0() + 100; // a free block
            assertEquals(0, m.cache.read(data).getLong(0));
            ByteBuffer page = ByteBuffer.allocate(4096).putLong(0, 0x1122334455667788L);
            m.device.writeBlock(data, 4096, page);
            assertEquals(0, m.cache.read(data).getLong(0), "the cache still has the old copy");
            assertTrue(m.cache.discard(data));
            assertEquals(0x1122334455667788L, m.cache.read(data).getLong(0));
            // a dirty buffer is not discarded
            touch(m, m.rootAddr, 7);
            assertFalse(m.cache.discard(m.rootAddr));
            assertTrue(m.cache.contains(m.rootAddr));
        }
    }
}
