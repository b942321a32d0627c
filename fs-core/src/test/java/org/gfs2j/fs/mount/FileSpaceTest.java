package org.gfs2j.fs.mount;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.vfs.DataSeek;
import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.fs.vfs.ReadOnlyGfs2Vfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fallocate (allocate, keep size, punch hole) and SEEK_DATA/SEEK_HOLE; fsck.gfs2 -n clean after each. */
class FileSpaceTest {
    private static final int KEEP_SIZE = 1;
    private static final int PUNCH_HOLE = 2;
    private static final int ZERO_RANGE = 0x10;
    private static final int O_RDWR = 2;

    @TempDir
    Path dir;

    private static byte[] n(String s) {
        return s.getBytes(UTF_8);
    }

    private static void assertErrno(int expected, org.junit.jupiter.api.function.Executable op) {
        FsException e = assertThrows(FsException.class, op);
        assertEquals(expected, e.errno(), e.getMessage());
    }

    private static byte[] read(ReadWriteGfs2Vfs vfs, long h, long offset, int len) throws FsException {
        ByteBuffer b = ByteBuffer.allocate(len);
        int got = vfs.read(h, offset, len, b);
        return Arrays.copyOf(b.array(), got);
    }

    private static byte[] pattern(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (1 + (i * 31 + seed) % 251);
        }
        return b;
    }

    @Test
    void allocateGrowsTheFileWithZeroedBlocksAndKeepSizeAllocatesBeyondTheEnd() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        long ino;
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            long free0 = vfs.statfs().bfree();
            ino = vfs.mknod(root, n("a"), 0644, 0, 0, 0).ino();
            long h = vfs.open(ino, O_RDWR);
            vfs.fallocate(h, 0, 1 << 20, 0);
            assertEquals(1 << 20, vfs.getattr(ino).size());
            long blocks = vfs.getattr(ino).blocks() / 8; // 512-byte units
            assertTrue(blocks >= 1 + 256, "dinode and 256 data blocks, got " + blocks);
            assertTrue(free0 - vfs.statfs().bfree() >= 257);
            assertArrayEquals(new byte[4096], read(vfs, h, 500_000, 4096));
            assertEquals(0, vfs.lseek(h, 0, DataSeek.SEEK_DATA));
            assertEquals(1 << 20, vfs.lseek(h, 12345, DataSeek.SEEK_HOLE));
            // again over the same range: nothing new
            long used = vfs.statfs().bfree();
            vfs.fallocate(h, 4096, 8192, 0);
            assertEquals(used, vfs.statfs().bfree());
            assertEquals(1 << 20, vfs.getattr(ino).size());

            // mode 0 inside a sparse file fills its holes, keeps its data and size
            long sp = vfs.mknod(root, n("sparse"), 0644, 0, 0, 0).ino();
            long hsp = vfs.open(sp, O_RDWR);
            vfs.write(hsp, 10 * 4096, ByteBuffer.wrap(pattern(4096, 5)));
            vfs.write(hsp, 30 * 4096, ByteBuffer.wrap(pattern(100, 6)));
            assertEquals(0, vfs.lseek(hsp, 0, DataSeek.SEEK_HOLE));
            vfs.fallocate(hsp, 0, 20 * 4096, 0);
            assertEquals(30 * 4096 + 100, vfs.getattr(sp).size());
            assertEquals(20 * 4096, vfs.lseek(hsp, 0, DataSeek.SEEK_HOLE));
            assertEquals(30 * 4096, vfs.lseek(hsp, 20 * 4096, DataSeek.SEEK_DATA));
            assertEquals(1 + 20 + 1, vfs.getattr(sp).blocks() / 8);
            assertArrayEquals(pattern(4096, 5), read(vfs, hsp, 10 * 4096, 4096));
            assertArrayEquals(new byte[10 * 4096], read(vfs, hsp, 0, 10 * 4096));
            vfs.release(hsp);

            // a small stuffed file: KEEP_SIZE beyond its end keeps size and bytes
            long b = vfs.mknod(root, n("b"), 0644, 0, 0, 0).ino();
            long hb = vfs.open(b, O_RDWR);
            vfs.write(hb, 0, ByteBuffer.wrap(n("hello")));
            vfs.fallocate(hb, 0, 64 * 1024, KEEP_SIZE);
            assertEquals(5, vfs.getattr(b).size());
            assertEquals(1 + 16, vfs.getattr(b).blocks() / 8);
            assertEquals("hello", new String(read(vfs, hb, 0, 100), UTF_8));
            assertEquals(5, vfs.lseek(hb, 0, DataSeek.SEEK_HOLE));
            assertErrno(DataSeek.ENXIO, () -> vfs.lseek(hb, 5, DataSeek.SEEK_DATA));
            // writing into the preallocated range uses those blocks
            long before = vfs.statfs().bfree();
            vfs.write(hb, 10_000, ByteBuffer.wrap(n("xyz")));
            assertEquals(before, vfs.statfs().bfree());
            byte[] got = read(vfs, hb, 0, 10_003);
            assertEquals(10_003, got.length);
            assertEquals("xyz", new String(got, 10_000, 3, UTF_8));
            assertArrayEquals(new byte[10_000 - 5], Arrays.copyOfRange(got, 5, 10_000));
            // KEEP_SIZE within a stuffed file's room changes nothing; mode 0 there only grows the size
            long c = vfs.mknod(root, n("c"), 0644, 0, 0, 0).ino();
            long hc = vfs.open(c, O_RDWR);
            vfs.fallocate(hc, 0, 100, KEEP_SIZE);
            assertEquals(0, vfs.getattr(c).size());
            vfs.fallocate(hc, 10, 100, 0);
            assertEquals(110, vfs.getattr(c).size());
            assertEquals(1, vfs.getattr(c).blocks() / 8);
            assertArrayEquals(new byte[110], read(vfs, hc, 0, 200));
            assertEquals(0, vfs.lseek(hc, 0, DataSeek.SEEK_DATA));
            assertEquals(110, vfs.lseek(hc, 50, DataSeek.SEEK_HOLE));
            vfs.release(h);
            vfs.release(hb);
            vfs.release(hc);
        }
        Gfs2Tools.assertFsckClean(img);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long free = vfs.statfs().bfree();
            long b = vfs.lookup(vfs.rootIno(), n("b")).ino();
            long blocks = vfs.getattr(b).blocks() / 8;
            // shrinking frees the preallocated blocks beyond the end too
            vfs.setattr(b, null, null, null, 3L, null, null);
            assertEquals(2, vfs.getattr(b).blocks() / 8, "dinode and data block 0");
            assertEquals(free + blocks - 2, vfs.statfs().bfree());
            vfs.unlink(vfs.rootIno(), n("a"));
            vfs.unlink(vfs.rootIno(), n("b"));
        }
        Gfs2Tools.assertFsckClean(img);
    }

    /** KEEP_SIZE far beyond a tiny or empty file grows its tree (height 3 at 1 KiB blocks); unlink frees it all. */
    @Test
    void keepSizeGrowsTheTreeBeyondTheEnd() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 1024);
        long free0;
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            free0 = vfs.statfs().bfree();
            long f = vfs.mknod(vfs.rootIno(), n("f"), 0644, 0, 0, 0).ino();
            long h = vfs.open(f, O_RDWR);
            vfs.write(h, 0, ByteBuffer.wrap(n("hello")));
            vfs.fallocate(h, 0, 4L << 20, KEEP_SIZE);
            assertEquals(5, vfs.getattr(f).size());
            assertTrue(vfs.getattr(f).blocks() / 2 > 4096, "4096 data blocks and their indirect blocks");
            assertEquals("hello", new String(read(vfs, h, 0, 100), UTF_8));
            long e = vfs.mknod(vfs.rootIno(), n("e"), 0644, 0, 0, 0).ino();
            long he = vfs.open(e, O_RDWR);
            vfs.fallocate(he, 3L << 20, 1L << 20, KEEP_SIZE);
            assertEquals(0, vfs.getattr(e).size());
            assertErrno(DataSeek.ENXIO, () -> vfs.lseek(he, 0, DataSeek.SEEK_HOLE));
            vfs.release(h);
            vfs.release(he);
        }
        Gfs2Tools.assertFsckClean(img);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            vfs.unlink(vfs.rootIno(), n("f"));
            vfs.unlink(vfs.rootIno(), n("e"));
            assertEquals(free0, vfs.statfs().bfree());
        }
        Gfs2Tools.assertFsckClean(img);
    }

    @Test
    void punchHoleFreesWholeBlocksAndZeroesPartialOnes() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        byte[] content = pattern(20 * 4096 + 300, 7);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long ino = vfs.mknod(vfs.rootIno(), n("p"), 0644, 0, 0, 0).ino();
            long h = vfs.open(ino, O_RDWR);
            vfs.write(h, 0, ByteBuffer.wrap(content));
            long blocks = vfs.getattr(ino).blocks() / 8;
            long free = vfs.statfs().bfree();
            long from = 4096 + 100;
            long to = 5 * 4096 + 200;
            vfs.fallocate(h, from, to - from, PUNCH_HOLE | KEEP_SIZE);
            assertEquals(content.length, vfs.getattr(ino).size());
            assertEquals(blocks - 3, vfs.getattr(ino).blocks() / 8, "blocks 2, 3 and 4 freed");
            assertEquals(free + 3, vfs.statfs().bfree());
            byte[] expect = content.clone();
            Arrays.fill(expect, (int) from, (int) to, (byte) 0);
            assertArrayEquals(expect, read(vfs, h, 0, content.length + 10));
            assertEquals(2 * 4096, vfs.lseek(h, 0, DataSeek.SEEK_HOLE));
            assertEquals(2 * 4096 + 7, vfs.lseek(h, 2 * 4096 + 7, DataSeek.SEEK_HOLE));
            assertEquals(5 * 4096, vfs.lseek(h, 2 * 4096, DataSeek.SEEK_DATA));
            assertEquals(content.length, vfs.lseek(h, 5 * 4096, DataSeek.SEEK_HOLE));
            assertErrno(DataSeek.ENXIO, () -> vfs.lseek(h, content.length, DataSeek.SEEK_HOLE));
            // within one block, and reaching past the end of the file
            vfs.fallocate(h, 10, 20, PUNCH_HOLE | KEEP_SIZE);
            Arrays.fill(expect, 10, 30, (byte) 0);
            vfs.fallocate(h, 19 * 4096 + 1, 1 << 20, PUNCH_HOLE | KEEP_SIZE);
            Arrays.fill(expect, 19 * 4096 + 1, expect.length, (byte) 0);
            assertArrayEquals(expect, read(vfs, h, 0, content.length));
            assertEquals(content.length, vfs.getattr(ino).size());
            assertEquals(blocks - 4, vfs.getattr(ino).blocks() / 8, "block 20 freed too");
            // a punched stuffed file reads zeros in the range
            long s = vfs.mknod(vfs.rootIno(), n("s"), 0644, 0, 0, 0).ino();
            long hs = vfs.open(s, O_RDWR);
            vfs.write(hs, 0, ByteBuffer.wrap(n("abcdefgh")));
            vfs.fallocate(hs, 2, 3, PUNCH_HOLE | KEEP_SIZE);
            assertArrayEquals(n("ab\0\0\0fgh"), read(vfs, hs, 0, 100));
            vfs.release(h);
            vfs.release(hs);
        }
        Gfs2Tools.assertFsckClean(img);
    }

    /** Punching a whole tall file frees its indirect blocks too, in several passes. */
    @Test
    void punchingEverythingOfATallFileFreesIndirectBlocks() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 1024);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long free0 = vfs.statfs().bfree();
            long ino = vfs.mknod(vfs.rootIno(), n("t"), 0644, 0, 0, 0).ino();
            long h = vfs.open(ino, O_RDWR);
            vfs.write(h, 0, ByteBuffer.wrap(pattern(300 * 1024, 3))); // height 2 at 1 KiB blocks
            long used = vfs.getattr(ino).blocks() * 512 / 1024;
            assertTrue(used > 301, "data and indirect blocks: " + used);
            vfs.fallocate(h, 0, 300 * 1024, PUNCH_HOLE | KEEP_SIZE);
            assertEquals(1, vfs.getattr(ino).blocks() * 512 / 1024, "only the dinode is left");
            assertEquals(free0 - 1, vfs.statfs().bfree());
            assertArrayEquals(new byte[300 * 1024], read(vfs, h, 0, 300 * 1024));
            assertErrno(DataSeek.ENXIO, () -> vfs.lseek(h, 0, DataSeek.SEEK_DATA));
            assertEquals(0, vfs.lseek(h, 0, DataSeek.SEEK_HOLE));
            // and the holes fill again
            vfs.write(h, 150 * 1024, ByteBuffer.wrap(n("back")));
            assertEquals(150 * 1024, vfs.lseek(h, 0, DataSeek.SEEK_DATA));
            assertEquals(151 * 1024, vfs.lseek(h, 150 * 1024, DataSeek.SEEK_HOLE));
            vfs.release(h);
        }
        Gfs2Tools.assertFsckClean(img);
    }

    @Test
    void errorsAndNoSpaceLeaveNothingHalfDone() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long ino = vfs.mknod(vfs.rootIno(), n("e"), 0644, 0, 0, 0).ino();
            long h = vfs.open(ino, O_RDWR);
            vfs.write(h, 0, ByteBuffer.wrap(pattern(10_000, 1)));
            assertErrno(FsException.EOPNOTSUPP, () -> vfs.fallocate(h, 0, 10, PUNCH_HOLE));
            assertErrno(FsException.EOPNOTSUPP, () -> vfs.fallocate(h, 0, 10, ZERO_RANGE));
            assertErrno(FsException.EOPNOTSUPP, () -> vfs.fallocate(h, 0, 10, 0x08)); // COLLAPSE_RANGE
            assertErrno(FsException.EINVAL, () -> vfs.fallocate(h, 0, 0, 0));
            assertErrno(FsException.EINVAL, () -> vfs.fallocate(h, -1, 10, 0));
            assertErrno(FsException.EFBIG, () -> vfs.fallocate(h, Long.MAX_VALUE - 5, 10, 0));
            long ro = vfs.open(ino, 0);
            assertErrno(FsException.EBADF, () -> vfs.fallocate(ro, 0, 10, 0));
            assertErrno(FsException.EBADF, () -> vfs.fallocate(424242, 0, 10, 0));
            assertErrno(FsException.EINVAL, () -> vfs.lseek(ro, 0, 0));
            assertErrno(DataSeek.ENXIO, () -> vfs.lseek(ro, 10_000, DataSeek.SEEK_DATA));
            assertErrno(DataSeek.ENXIO, () -> vfs.lseek(ro, -1, DataSeek.SEEK_HOLE));

            long free = vfs.statfs().bfree();
            long blocks = vfs.getattr(ino).blocks();
            assertErrno(FsException.ENOSPC, () -> vfs.fallocate(h, 0, 200L << 20, 0));
            assertErrno(FsException.ENOSPC, () -> vfs.fallocate(h, 1 << 20, 200L << 20, KEEP_SIZE));
            assertEquals(free, vfs.statfs().bfree());
            assertEquals(blocks, vfs.getattr(ino).blocks());
            assertEquals(10_000, vfs.getattr(ino).size());
            assertArrayEquals(pattern(10_000, 1), read(vfs, h, 0, 20_000));
            vfs.release(ro);
            vfs.release(h);
        }
        Gfs2Tools.assertFsckClean(img);
        try (ReadOnlyGfs2Vfs ro = ReadOnlyGfs2Vfs.open(img)) {
            long ino = ro.lookup(ro.rootIno(), n("e")).ino();
            long h = ro.open(ino, 0);
            assertEquals(0, ro.lseek(h, 0, DataSeek.SEEK_DATA));
            assertEquals(10_000, ro.lseek(h, 0, DataSeek.SEEK_HOLE));
            assertErrno(DataSeek.ENXIO, () -> ro.lseek(h, 10_000, DataSeek.SEEK_DATA));
            assertErrno(FsException.EROFS, () -> ro.fallocate(h, 0, 10, 0));
            ro.release(h);
        }
    }
}
