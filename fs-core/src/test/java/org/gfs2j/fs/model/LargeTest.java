package org.gfs2j.fs.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.mount.Gfs2FileSystem;
import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.journal.device.BlockDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale: a directory of 100,000 entries (created, every 1000th looked up, listed; a lookup costs
 * a constant number of device reads: 3 at 1,000 entries, one more once the hash table moves
 * out of the dinode, the same at 25,000 and 100,000; counted below the buffer cache with the
 * cache bounded to a single clean buffer), and a 10 GiB
 * sparse file on a sparse image (data at 0, 5 GiB and 10 GiB - 1, holes read as zeros,
 * truncation down); fsck.gfs2 -n clean after each.
 */
class LargeTest {
    private static final int ENTRIES = Integer.getInteger("gfs2j.large.entries", 100_000);

    @TempDir
    Path dir;

    private static byte[] n(String s) {
        return s.getBytes(UTF_8);
    }

    private static String name(int i) {
        return "file-" + i;
    }

    @Test
    void hundredThousandEntriesLookupsStayConstantInDeviceReads() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "big.img", 1024, 256, 4096);
        int[] checkpoints = {1_000, 25_000, ENTRIES};
        Map<Integer, Double> readsPerLookup = new LinkedHashMap<>();
        long bigIno;
        long t0 = System.nanoTime();
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            bigIno = vfs.mkdir(vfs.rootIno(), n("big"), 0755, 0, 0).ino();
        }
        int created = 0;
        for (int target : checkpoints) {
            long c0 = System.nanoTime();
            try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
                for (; created < target; created++) {
                    vfs.mknod(bigIno, n(name(created)), 0644, 0, 0, 0);
                }
            }
            double createSecs = (System.nanoTime() - c0) / 1e9;
            readsPerLookup.put(target, coldLookupReads(img, bigIno, target));
            System.out.printf("LargeTest: %d entries (created in %.1f s), %.2f device reads per cold lookup%n",
                    target, createSecs, readsPerLookup.get(target));
        }
        double small = readsPerLookup.get(checkpoints[0]);
        double mid = readsPerLookup.get(checkpoints[1]);
        double large = readsPerLookup.get(ENTRIES);
        // directory dinode, leaf, the found inode's dinode; once the hash table outgrows the
        // dinode (above ~480 pointers: between 1,000 and 25,000 entries) one table block more,
        // and never more than that: the table's block tree has height 1 up to the largest table
        assertTrue(large <= mid && large <= small + 1.0,
                "device reads per lookup grew with the directory: " + readsPerLookup);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            int[] count = {0};
            long h = vfs.opendir(bigIno);
            try {
                long[] cookie = {0};
                boolean more = true;
                while (more) {
                    int before = count[0];
                    vfs.readdir(h, cookie[0], false, e -> {
                        count[0]++;
                        cookie[0] = e.nextCookie();
                        return count[0] - before < 4096;
                    });
                    more = count[0] > before;
                }
            } finally {
                vfs.releasedir(h);
            }
            assertEquals(ENTRIES + 2, count[0], "readdir of the big directory (with . and ..)");
            for (int i = 0; i < ENTRIES; i += 1000) {
                assertTrue(vfs.lookup(bigIno, n(name(i))).isRegular(), name(i));
            }
            FsException e = org.junit.jupiter.api.Assertions.assertThrows(FsException.class,
                    () -> vfs.lookup(bigIno, n("missing")));
            assertEquals(FsException.ENOENT, e.errno());
        }
        Gfs2Tools.assertFsckClean(img);
        try (FileSystemReader r = FileSystemReader.open(img)) {
            Inode big = r.lookup(r.root(), "big").orElseThrow();
            assertTrue(big.dinode().isExhashDir());
            assertEquals(ENTRIES + 2, r.directory(big).list().size(), "entries through the offline read path");
        }
        System.out.printf("LargeTest: %d-entry directory test took %.1f s%n", ENTRIES, (System.nanoTime() - t0) / 1e9);
    }

    /** Mean device reads per lookup of every 1000th name, each with a cold cache (one clean buffer kept). */
    private static double coldLookupReads(Path img, long dirIno, int entries) throws Exception {
        try (var dev = new CountingBlockDevice(BlockDevices.open(img, false, 0));
             Gfs2FileSystem fs = Gfs2FileSystem.mount(dev, MountConfig.of(0).withMaxCleanBuffers(1))) {
            ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.over(fs);
            // a lookup checks the found inode's bitmap state (iopen protocol): load every rgrp now,
            // once per mount, so that only the directory's and the dinode's reads are counted
            fs.alloc.freeBlocks();
            List<Long> costs = new ArrayList<>();
            for (int i = 0; i < entries; i += Math.max(1, entries / 100)) {
                fs.cache.invalidate(org.gfs2j.fs.glock.GlockName.inode(dirIno), true);
                long before = dev.reads();
                assertTrue(vfs.lookup(dirIno, n(name(i))).isRegular());
                costs.add(dev.reads() - before);
            }
            return costs.stream().mapToLong(Long::longValue).average().orElseThrow();
        }
    }

    @Test
    void tenGibSparseFile() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        long gib = 1L << 30;
        Path img = TestMount.mkfs(dir, "sparse.img", 16 * 1024, 2048, 4096);
        byte[] a = "at zero".getBytes(UTF_8);
        byte[] b = new byte[100_000];
        new java.util.Random(5).nextBytes(b);
        byte[] c = {42};
        long t0 = System.nanoTime();
        long ino;
        long freeBefore;
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            freeBefore = vfs.statfs().bfree();
            ino = vfs.mknod(vfs.rootIno(), n("sparse"), 0644, 0, 0, 0).ino();
            long h = vfs.open(ino, 2);
            try {
                assertEquals(a.length, vfs.write(h, 0, ByteBuffer.wrap(a)));
                assertEquals(b.length, vfs.write(h, 5 * gib, ByteBuffer.wrap(b)));
                assertEquals(1, vfs.write(h, 10 * gib - 1, ByteBuffer.wrap(c)));
                assertEquals(10 * gib, vfs.getattr(ino).size());
                assertArrayEquals(a, ModelCheck.vfsRead(vfs, h, 0, a.length));
                assertArrayEquals(b, ModelCheck.vfsRead(vfs, h, 5 * gib, b.length));
                assertArrayEquals(c, ModelCheck.vfsRead(vfs, h, 10 * gib - 1, 10));
                for (long hole : new long[] {4096, gib, 5 * gib - 65536, 5 * gib + b.length, 7 * gib, 10 * gib - 70_000}) {
                    assertArrayEquals(new byte[65536], ModelCheck.vfsRead(vfs, h, hole, 65536), "hole at " + hole);
                }
                assertTrue(vfs.getattr(ino).blocks() < 2000, "a sparse file allocates only what was written: "
                        + vfs.getattr(ino).blocks() + " sectors");
            } finally {
                vfs.release(h);
            }
        }
        Gfs2Tools.assertFsckClean(img);
        try (FileSystemReader r = FileSystemReader.open(img)) {
            Inode f = r.lookup(r.root(), "sparse").orElseThrow();
            assertEquals(10 * gib, f.dinode().size());
            assertArrayEquals(b, r.file(f).read(5 * gib, b.length), "offline read at 5 GiB");
            assertArrayEquals(c, r.file(f).read(10 * gib - 1, 1), "offline read at 10 GiB - 1");
            assertArrayEquals(new byte[4096], r.file(f).read(3 * gib, 4096), "offline hole");
        }
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            vfs.setattr(ino, null, null, null, 6 * gib, null, null);
            long h = vfs.open(ino, 0);
            try {
                assertArrayEquals(b, ModelCheck.vfsRead(vfs, h, 5 * gib, b.length));
                assertArrayEquals(new byte[0], ModelCheck.vfsRead(vfs, h, 6 * gib, 10));
            } finally {
                vfs.release(h);
            }
            vfs.setattr(ino, null, null, null, 3L, null, null);
            h = vfs.open(ino, 0);
            try {
                assertArrayEquals("at ".getBytes(UTF_8), ModelCheck.vfsRead(vfs, h, 0, 100));
            } finally {
                vfs.release(h);
            }
            vfs.unlink(vfs.rootIno(), n("sparse"));
            assertEquals(freeBefore, vfs.statfs().bfree(), "every block of the sparse file came back");
        }
        Gfs2Tools.assertFsckClean(img);
        System.out.printf("LargeTest: 10 GiB sparse file test took %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
