package org.gfs2j.fs.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.glock.GlockState;
import org.gfs2j.fs.glock.Holder;
import org.gfs2j.fs.glock.RgrpLvb;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.ResourceGroup;
import org.gfs2j.fs.ondisk.Inum;
import org.gfs2j.fs.ondisk.RgrpBitmap;
import org.gfs2j.fs.ondisk.StatfsChange;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Allocation through the journal and glocks, judged by fsck.gfs2 -n and by re-reading the image. */
class AllocatorTest {
    @TempDir
    Path dir;

    private Path image(int mib) throws Exception {
        return TestMount.mkfs(dir, "img", mib, 32, 4096);
    }

    /** Σ rg_free / rg_dinodes as the offline reader sees the image, and master statfs. */
    private static void assertStatfsConsistent(Path img) throws Exception {
        try (FileSystemReader r = FileSystemReader.open(img)) {
            long free = 0;
            long dinodes = 0;
            long total = 0;
            for (ResourceGroup g : r.resourceGroups()) {
                assertEquals(g.header().free(), g.bitmap().count(RgrpBitmap.FREE), "rg_free of " + g.addr());
                assertEquals(g.header().dinodes(), g.bitmap().count(RgrpBitmap.DINODE), "rg_dinodes of " + g.addr());
                free += g.header().free();
                dinodes += g.header().dinodes();
                total += g.index().data();
            }
            assertEquals(new StatfsChange(total, free, dinodes), r.masterStatfs());
            for (StatfsChange c : r.statfsChanges().values()) {
                assertEquals(StatfsChange.ZERO, c);
            }
        }
    }

    @Test
    void allocateAndFreeAcrossSeveralRgrps() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = image(160);
        List<String> deleted = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        try (TestMount m = TestMount.open(img, 256)) {
            assertTrue(m.rgrps.size() >= 4, "rgrps: " + m.rgrps.size());
            FileOps ops = new FileOps(m);
            long freeAtStart = m.alloc.freeBlocks();
            // one file per rgrp with room, goal at the rgrp's first data block: data lands in that rgrp
            List<String> names = new ArrayList<>();
            for (int i = 0; i < m.rgrps.size(); i++) {
                Rgrp rg = m.rgrps.get(i);
                if (rg.free() < 200) {
                    continue; // a journal rgrp, full
                }
                FileOps.Created c = ops.create("f" + i, rg.index().data0(), 150);
                names.add("f" + i);
                assertEquals(150, c.blocks().size());
                assertTrue(rg.containsData(c.inum().addr()), "dinode in rgrp " + i);
                for (long b : c.blocks()) {
                    assertTrue(rg.containsData(b), "block " + b + " in rgrp " + i);
                    assertEquals(RgrpBitmap.USED, rg.state(b));
                }
                assertEquals(RgrpBitmap.DINODE, rg.state(c.inum().addr()));
            }
            assertTrue(names.size() >= 3, "files in " + names);
            assertEquals(151L * names.size(), freeAtStart - m.alloc.freeBlocks());
            // free every other file; the rest stay
            for (int k = 0; k < names.size(); k += 2) {
                ops.delete(names.get(k));
                deleted.add(names.get(k));
            }
            for (int k = 1; k < names.size(); k += 2) {
                kept.add(names.get(k));
            }
            assertEquals(151L * kept.size(), freeAtStart - m.alloc.freeBlocks());
            // the value block carries the counts
            for (Rgrp rg : m.rgrps.all()) {
                try (Holder h = m.glocks.acquire(rg.glockName(), GlockState.SH)) {
                    RgrpLvb lvb = RgrpLvb.decode(h.valueBlock()).orElse(null);
                    if (lvb != null) {
                        assertEquals(rg.free(), lvb.freeBlocks(), "lvb of " + rg);
                        assertEquals(rg.dinodes(), lvb.dinodes());
                    }
                }
            }
            StatfsChange master = m.statfs.sync();
            assertEquals(m.alloc.freeBlocks(), master.free());
        }
        Gfs2Tools.assertFsckClean(img);
        assertStatfsConsistent(img);
        try (FileSystemReader r = FileSystemReader.open(img)) {
            for (String name : kept) {
                assertEquals(150 * 4096L, r.lookup(r.root(), name).orElseThrow().dinode().size());
            }
            for (String name : deleted) {
                assertTrue(r.lookup(r.root(), name).isEmpty(), name);
            }
        }
    }

    @Test
    void reservationKeepsAFilesBlocksContiguous() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = image(128);
        try (TestMount m = TestMount.open(img, 256)) {
            FileOps ops = new FileOps(m);
            Rgrp target = m.rgrps.get(m.rgrps.size() - 1);
            long goal = target.index().data0();
            Inum a;
            Reservation r;
            List<Long> aBlocks = new ArrayList<>();
            try (FsTransaction tx = FsTransaction.begin(m.cache, ops.txBlocks(), 0)) {
                ops.lockRoot(tx);
                a = m.alloc.allocateDinode(tx, goal);
                ops.lockNew(tx, a.addr());
                r = m.alloc.reserve(tx, a.addr(), 64);
                assertNotNull(r);
                assertEquals(64, r.remaining());
                for (BlockRun run : m.alloc.allocate(tx, r, 10)) {
                    for (long k = run.start(); k < run.end(); k++) {
                        aBlocks.add(k);
                    }
                }
                ops.writeFile(tx, a, "a", aBlocks);
                tx.commit();
            }
            // another file allocating with the same goal must not take the reserved blocks
            FileOps.Created b = ops.create("b", goal, 20);
            long resStart = aBlocks.get(0);
            for (long blk : b.blocks()) {
                assertTrue(blk < resStart || blk >= resStart + 64, "b got reserved block " + blk);
            }
            try (FsTransaction tx = FsTransaction.begin(m.cache, ops.txBlocks(), 0)) {
                ops.lockRoot(tx);
                tx.hold(m.glocks.acquire(GlockName.inode(a.addr()), GlockState.EX));
                for (BlockRun run : m.alloc.allocate(tx, r, 15)) {
                    for (long k = run.start(); k < run.end(); k++) {
                        aBlocks.add(k);
                    }
                }
                ops.writeDinode(tx, a, aBlocks);
                tx.commit();
            }
            m.alloc.release(r);
            assertEquals(0, r.remaining());
            for (int i = 1; i < aBlocks.size(); i++) {
                assertEquals(aBlocks.get(0) + i, aBlocks.get(i), "a's blocks are contiguous: " + aBlocks);
            }
        }
        Gfs2Tools.assertFsckClean(img);
        assertStatfsConsistent(img);
    }

    @Test
    void newDirectoriesSpreadOverRgrps() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = image(160);
        Set<Integer> used = new HashSet<>();
        int withSpace = 0;
        int[] dirs = {0};
        try (TestMount m = TestMount.open(img, 256)) {
            FileOps ops = new FileOps(m);
            for (int i = 0; i < m.rgrps.size(); i++) {
                Inum d = ops.mkdirSpread("d" + i);
                used.add(m.rgrps.indexOf(d.addr()));
                dirs[0]++;
            }
            for (Rgrp rg : m.rgrps.all()) {
                if (rg.isLoaded() && rg.free() > 0) {
                    withSpace++;
                }
            }
        }
        assertTrue(used.size() >= Math.min(withSpace, 4), "dinodes in rgrps " + used + ", rgrps with space " + withSpace);
        assertTrue(used.size() >= 3, "spread over " + used);
        Gfs2Tools.assertFsckClean(img);
        assertStatfsConsistent(img);
        try (FileSystemReader r = FileSystemReader.open(img)) {
            assertTrue(r.lookup(r.root(), "d0").isPresent());
            assertEquals(2 + dirs[0], r.root().dinode().nlink());
        }
    }

    private static byte[] sha(Path p) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    @Test
    void noSpaceChangesNothing() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = image(64);
        byte[] before = sha(img);
        TestMount m = TestMount.open(img, 64);
        try {
            FileOps ops = new FileOps(m);
            long free = m.alloc.freeBlocks();
            try (FsTransaction tx = FsTransaction.begin(m.cache, ops.txBlocks(), 0)) {
                NoSpaceException e = assertThrows(NoSpaceException.class,
                        () -> m.alloc.allocate(tx, 0, (int) free + 1));
                assertEquals(free, e.available());
                for (Rgrp rg : m.rgrps.all()) {
                    assertTrue(!tx.isModified(rg.addr()), "rgrp header " + rg.addr() + " untouched");
                }
                // take everything: then nothing more fits, blocks or dinodes
                List<BlockRun> all = m.alloc.allocate(tx, 0, (int) free);
                assertEquals(free, all.stream().mapToLong(BlockRun::length).sum());
                assertThrows(NoSpaceException.class, () -> m.alloc.allocate(tx, 0, 1));
                assertThrows(NoSpaceException.class, () -> m.alloc.allocateDinode(tx, 0));
                // not committed: the transaction is abandoned
            }
            assertEquals(free, m.alloc.freeBlocks(), "abandoned allocation left no trace in core");
        } finally {
            m.crash();
        }
        assertTrue(java.util.Arrays.equals(before, sha(img)), "image unchanged");
        Gfs2Tools.assertFsckClean(img);
    }

    @Test
    void fillingTheFileSystemThenFreeingIsClean() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = image(64);
        try (TestMount m = TestMount.open(img, 64)) {
            FileOps ops = new FileOps(m);
            long free = m.alloc.freeBlocks();
            List<BlockRun> all;
            try (FsTransaction tx = FsTransaction.begin(m.cache, ops.txBlocks(), 0)) {
                all = m.alloc.allocate(tx, 0, (int) free);
                tx.commit();
            }
            assertEquals(0, m.alloc.freeBlocks());
            try (FsTransaction tx = FsTransaction.begin(m.cache, ops.txBlocks(), 0)) {
                assertThrows(NoSpaceException.class, () -> m.alloc.allocateDinode(tx, 0));
            }
            try (FsTransaction tx = FsTransaction.begin(m.cache, ops.txBlocks(), 0)) {
                List<Long> starts = all.stream().map(BlockRun::start).toList();
                m.alloc.lockForFree(tx, starts);
                for (BlockRun r : all) {
                    m.alloc.free(tx, r.start(), r.length(), false);
                }
                tx.commit();
            }
            assertEquals(free, m.alloc.freeBlocks());
        }
        Gfs2Tools.assertFsckClean(img);
        assertStatfsConsistent(img);
    }

    @Test
    void unlinkedDinodesAreDeallocatedLater() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = image(128);
        try (TestMount m = TestMount.open(img, 256)) {
            FileOps ops = new FileOps(m);
            FileOps.Created c = ops.create("victim", m.rootAddr, 12);
            long addr = c.inum().addr();
            Rgrp rg = m.rgrps.containing(addr);
            long dinodes = rg.dinodes();
            // last link gone while the file is still open: UNLINKED, blocks kept
            try (FsTransaction tx = FsTransaction.begin(m.cache, ops.txBlocks(), 0)) {
                ops.lockRoot(tx);
                assertNotNull(ops.rootWriter(tx).remove(m.rootAddr, "victim"));
                tx.hold(m.glocks.acquire(GlockName.inode(addr), GlockState.EX, org.gfs2j.fs.glock.HolderFlags.ORDER_EXEMPT));
                m.alloc.markUnlinked(tx, addr);
                tx.commit();
            }
            assertEquals(RgrpBitmap.UNLINKED, rg.state(addr));
            assertEquals(dinodes, rg.dinodes(), "unlinked dinodes still count in rg_dinodes");
            assertEquals(1, rg.unlinked());
            try (FsTransaction tx = FsTransaction.begin(m.cache, ops.txBlocks(), 32)) {
                tx.hold(m.glocks.acquire(GlockName.inode(addr), GlockState.EX));
                assertEquals(List.of(addr), m.alloc.unlinked(tx, m.rgrps.indexOf(addr)));
                List<Long> blocks = ops.blocksOf(addr);
                assertEquals(c.blocks(), blocks);
                List<Long> both = new ArrayList<>(blocks);
                both.add(addr);
                m.alloc.lockForFree(tx, both);
                for (long b : blocks) {
                    m.alloc.free(tx, b, 1, false);
                }
                m.alloc.freeDinode(tx, addr);
                tx.commit();
            }
            assertEquals(RgrpBitmap.FREE, rg.state(addr));
            assertEquals(dinodes - 1, rg.dinodes());
            assertEquals(0, rg.unlinked());
            // the freed dinode block is forgotten by the cache and revoked in the log: no committed
            // image of it is left to be written back or replayed over whatever it holds next
            assertTrue(!m.cache.contains(addr));
            assertTrue(m.log.committedImage(addr).isEmpty());
        }
        Gfs2Tools.assertFsckClean(img);
        assertStatfsConsistent(img);
    }

    @Test
    void formalNumbersComeFromTheRgrpCounter() throws Exception {
        Path img = image(128);
        try (TestMount m = TestMount.open(img, 256)) {
            FileOps ops = new FileOps(m);
            Rgrp last = m.rgrps.get(m.rgrps.size() - 1);
            long gen0;
            List<Inum> made = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                made.add(ops.create("n" + i, last.index().data0(), 0).inum());
            }
            gen0 = last.header().igeneration();
            assertEquals(List.of(1L, 2L, 3L), made.stream().map(Inum::formalIno).toList());
            assertEquals(4, gen0);
        }
        try (FileSystemReader r = FileSystemReader.open(img)) {
            assertEquals(2L, r.lookup(r.root(), "n1").get().dinode().num().formalIno());
        }
    }

    @Test
    void rgrpGlockDemoteWritesHeaderAndBitmapsThenReloads() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = image(128);
        try (TestMount m = TestMount.open(img, 256)) {
            FileOps ops = new FileOps(m);
            Rgrp rg = m.rgrps.get(m.rgrps.size() - 1);
            FileOps.Created c = ops.create("x", rg.index().data0(), 33);
            long free = rg.free();
            assertTrue(m.demote(rg.glockName(), GlockState.UN));
            assertTrue(!rg.isLoaded(), "in-core rgrp dropped with the glock");
            // header and bitmap are in place on the device, rg_crc valid
            ByteBuffer dev = m.device.readBlock(rg.addr(), m.geo.bsize());
            org.gfs2j.fs.ondisk.RgrpHeader h = org.gfs2j.fs.ondisk.RgrpHeader.decode(dev, rg.addr());
            assertEquals(free, h.free());
            assertTrue(dev.getInt(org.gfs2j.fs.ondisk.RgrpHeader.OFF_CRC) != 0);
            // the next allocation reloads it and carries on where it was
            FileOps.Created d = ops.create("y", rg.index().data0(), 5);
            assertTrue(rg.isLoaded());
            assertEquals(free - 6, rg.free());
            for (long b : d.blocks()) {
                assertTrue(!c.blocks().contains(b));
            }
        }
        Gfs2Tools.assertFsckClean(img);
        assertStatfsConsistent(img);
    }

    @Test
    void aTransactionCannotOutgrowItsReservation() throws Exception {
        Path img = image(96);
        try (TestMount m = TestMount.open(img, 64)) {
            try (FsTransaction tx = FsTransaction.begin(m.cache, 1, 0)) {
                tx.modify(m.rootAddr, GlockName.inode(m.rootAddr));
                assertThrows(IllegalStateException.class, () -> tx.modify(m.rootAddr + 1, GlockName.inode(m.rootAddr)));
                assertThrows(IllegalStateException.class, () -> tx.free(m.rootAddr + 2));
            }
            assertEquals(0, m.cache.stats().pinned());
        }
    }
}
