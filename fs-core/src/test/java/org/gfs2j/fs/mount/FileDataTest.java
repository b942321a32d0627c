package org.gfs2j.fs.mount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.vfs.FsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File contents through the read-write VFS: stuffed, unstuffed, height growth, holes, overwrites,
 * truncation down and up, unlink of a file with blocks; each step compared with a byte array;
 * after unmount fsck.gfs2 -n is clean and the offline read path sees the same bytes (MD5),
 * sizes and block counts, and so does a remount.
 */
class FileDataTest {
    @TempDir
    Path dir;

    private static byte[] n(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A growable model of a file's bytes. */
    private static final class Model {
        byte[] bytes = new byte[0];

        void write(long off, byte[] d) {
            int end = (int) off + d.length;
            if (end > bytes.length) {
                bytes = Arrays.copyOf(bytes, end);
            }
            System.arraycopy(d, 0, bytes, (int) off, d.length);
        }

        void truncate(long size) {
            bytes = Arrays.copyOf(bytes, (int) size);
        }
    }

    private static byte[] readAll(ReadWriteGfs2Vfs vfs, long h, long size) throws FsException {
        ByteBuffer dst = ByteBuffer.allocate((int) size + 100);
        long off = 0;
        while (true) {
            ByteBuffer part = dst.slice(dst.position(), Math.min(65536 * 4, dst.remaining()));
            int r = vfs.read(h, off, part.remaining(), part);
            if (r == 0) {
                break;
            }
            dst.position(dst.position() + r);
            off += r;
        }
        return Arrays.copyOf(dst.array(), dst.position());
    }

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    private static byte[] random(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    @Test
    void writesTruncatesAndHolesMatchAByteModel() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 128, 32, 4096);
        Random rnd = new Random(42);
        Model m = new Model();
        Model small = new Model();
        long freeAtStart;
        long ino;
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            freeAtStart = vfs.statfs().bfree();
            ino = vfs.mknod(root, n("f"), 0644, 0, 0, 0).ino();
            long h = vfs.open(ino, 2);
            int maxStuffed = 4096 - Dinode.SIZE;
            // stuffed
            byte[] d = random(rnd, 100);
            vfs.write(h, 10, ByteBuffer.wrap(d));
            m.write(10, d);
            assertArrayEquals(m.bytes, readAll(vfs, h, m.bytes.length));
            d = random(rnd, maxStuffed - 200);
            vfs.write(h, 200, ByteBuffer.wrap(d));
            m.write(200, d);
            assertEquals(maxStuffed, vfs.getattr(ino).size());
            assertEquals(1 * 8, vfs.getattr(ino).blocks()); // only the dinode (512-byte units)
            // unstuff
            d = random(rnd, 5000);
            vfs.write(h, 3000, ByteBuffer.wrap(d));
            m.write(3000, d);
            assertArrayEquals(m.bytes, readAll(vfs, h, m.bytes.length));
            // height 1 → 2 by writing beyond 483 blocks (holes in between), 483 pointers per dinode
            long[] offsets = {483L * 4096 - 10, 2_000_000, 123_456};
            for (long off : offsets) {
                d = random(rnd, 9000);
                vfs.write(h, off, ByteBuffer.wrap(d));
                m.write(off, d);
            }
            assertEquals(m.bytes.length, vfs.getattr(ino).size());
            assertArrayEquals(m.bytes, readAll(vfs, h, m.bytes.length));
            // a big sequential write (several transactions)
            d = random(rnd, 300_000);
            vfs.write(h, 50_000, ByteBuffer.wrap(d));
            m.write(50_000, d);
            // truncate down mid-block, then up: the tail reads as zeros
            vfs.setattr(ino, null, null, null, 1_000_001L, null, null);
            m.truncate(1_000_001);
            vfs.setattr(ino, null, null, null, 1_500_000L, null, null);
            m.truncate(1_500_000);
            assertArrayEquals(m.bytes, readAll(vfs, h, m.bytes.length));
            vfs.setattr(ino, null, null, null, 100L, null, null);
            m.truncate(100);
            assertArrayEquals(m.bytes, readAll(vfs, h, m.bytes.length));
            assertEquals(8 * 3, vfs.getattr(ino).blocks(), "dinode, its one indirect block (height stays 2) and the one data block left");
            d = random(rnd, 40_000);
            vfs.write(h, 70_000, ByteBuffer.wrap(d));
            m.write(70_000, d);
            vfs.fsync(h, false);
            vfs.release(h);

            // a second file: written, then O_TRUNC, then small again (stuffed after truncation to 0)
            long g = vfs.mknod(root, n("g"), 0600, 0, 0, 0).ino();
            long gh = vfs.open(g, 1);
            vfs.write(gh, 0, ByteBuffer.wrap(random(rnd, 20_000)));
            vfs.release(gh);
            gh = vfs.open(g, 1 | 01000);
            assertEquals(0, vfs.getattr(g).size());
            d = random(rnd, 50);
            vfs.write(gh, 0, ByteBuffer.wrap(d));
            small.write(0, d);
            vfs.release(gh);

            // a third file with blocks, unlinked: its blocks come back
            long before = vfs.statfs().bfree();
            long t = vfs.mknod(root, n("t"), 0600, 0, 0, 0).ino();
            long th = vfs.open(t, 1);
            vfs.write(th, 0, ByteBuffer.wrap(random(rnd, 700_000)));
            byte[] far = random(rnd, 10);
            long farOff = 483L * 509 * 4096 + 12345; // height 3
            vfs.write(th, farOff, ByteBuffer.wrap(far));
            ByteBuffer farRead = ByteBuffer.allocate(20);
            assertEquals(10, vfs.read(th, farOff, 20, farRead));
            assertArrayEquals(far, Arrays.copyOf(farRead.array(), 10));
            assertEquals(farOff + 10, vfs.getattr(t).size());
            ByteBuffer hole = ByteBuffer.allocate(4096);
            assertEquals(4096, vfs.read(th, farOff - 5000, 4096, hole));
            assertArrayEquals(new byte[4096], hole.array());
            assertTrue(vfs.statfs().bfree() < before - 170);
            long inUse = vfs.statfs().bfree();
            vfs.unlink(root, n("t"));
            // unlinked but open: the blocks stay, and stay readable, until the last release
            assertEquals(inUse, vfs.statfs().bfree());
            farRead.clear();
            assertEquals(10, vfs.read(th, farOff, 20, farRead));
            assertArrayEquals(far, Arrays.copyOf(farRead.array(), 10));
            vfs.release(th);
            assertEquals(before, vfs.statfs().bfree());
        }
        Gfs2Tools.assertFsckClean(img);
        try (FileSystemReader r = FileSystemReader.open(img)) {
            Inode f = r.lookup(r.root(), "f").orElseThrow();
            assertEquals(ino, f.addr());
            assertEquals(m.bytes.length, f.dinode().size());
            assertEquals(md5(m.bytes), md5(r.file(f).readAll(Integer.MAX_VALUE)));
            Inode g = r.lookup(r.root(), "g").orElseThrow();
            assertEquals(0, g.dinode().height());
            assertEquals(md5(small.bytes), md5(r.file(g).readAll(Integer.MAX_VALUE)));
            assertTrue(r.lookup(r.root(), "t").isEmpty());
        }
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long h = vfs.open(ino, 0);
            assertArrayEquals(m.bytes, readAll(vfs, h, m.bytes.length));
            vfs.release(h);
            vfs.unlink(vfs.rootIno(), n("f"));
            vfs.unlink(vfs.rootIno(), n("g"));
            assertEquals(freeAtStart, vfs.statfs().bfree());
        }
        Gfs2Tools.assertFsckClean(img);
    }

    /** Filling the file system ends in ENOSPC with a consistent file; deleting it gives every block back. */
    @Test
    void enospcLeavesAConsistentFileSystem() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "small", 80, 32, 4096);
        long free;
        long written = 0;
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            free = vfs.statfs().bfree();
            long ino = vfs.mknod(vfs.rootIno(), n("fill"), 0644, 0, 0, 0).ino();
            long h = vfs.open(ino, 1);
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 7);
            FsException e = null;
            while (e == null) {
                try {
                    vfs.write(h, written, ByteBuffer.wrap(chunk));
                    written += chunk.length;
                } catch (FsException x) {
                    e = x;
                }
            }
            assertEquals(FsException.ENOSPC, e.errno(), e.getMessage());
            assertTrue(written > 20 << 20, "wrote " + written);
            long size = vfs.getattr(ino).size();
            assertTrue(size >= written, size + " < " + written);
            vfs.release(h);
        }
        Gfs2Tools.assertFsckClean(img);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            vfs.unlink(vfs.rootIno(), n("fill"));
            assertEquals(free, vfs.statfs().bfree());
        }
        Gfs2Tools.assertFsckClean(img);
    }
}
