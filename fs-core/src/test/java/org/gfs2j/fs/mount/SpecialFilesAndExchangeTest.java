package org.gfs2j.fs.mount;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.fs.vfs.InodeAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mknod of fifos, sockets and devices; RENAME_EXCHANGE; fsck.gfs2 -n clean after each. */
class SpecialFilesAndExchangeTest {
    private static final int RENAME_NOREPLACE = 1;
    private static final int RENAME_EXCHANGE = 2;
    private static final int RENAME_WHITEOUT = 4;

    @TempDir
    Path dir;

    private static byte[] n(String s) {
        return s.getBytes(UTF_8);
    }

    private static void assertErrno(int expected, org.junit.jupiter.api.function.Executable op) {
        FsException e = assertThrows(FsException.class, op);
        assertEquals(expected, e.errno(), e.getMessage());
    }

    @Test
    void mknodCreatesFifosSocketsAndDevicesWithTheirNumbers() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        int rdevChr = InodeAttributes.encodeDevice(4, 64);        // /dev/ttyS0
        int rdevBlk = InodeAttributes.encodeDevice(259, 0x12345); // major > 255, minor > 255
        long fifo;
        long chr;
        long blk;
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            InodeAttributes f = vfs.mknod(root, n("fifo"), Dinode.S_IFIFO | 0640, 0, 10, 20);
            fifo = f.ino();
            assertEquals(Dinode.S_IFIFO | 0640, f.mode());
            assertEquals(0, f.rdev());
            assertEquals(1, f.nlink());
            assertEquals(10, f.uid());
            InodeAttributes s = vfs.mknod(root, n("sock"), Dinode.S_IFSOCK | 0777, 0, 0, 0);
            assertEquals(Dinode.S_IFSOCK | 0777, s.mode());
            InodeAttributes c = vfs.mknod(root, n("chr"), Dinode.S_IFCHR | 0600, rdevChr, 0, 0);
            chr = c.ino();
            assertEquals(rdevChr, c.rdev());
            InodeAttributes b = vfs.mknod(root, n("blk"), Dinode.S_IFBLK | 0660, rdevBlk, 0, 0);
            blk = b.ino();
            assertEquals(rdevBlk, b.rdev());
            assertEquals(rdevBlk, vfs.getattr(blk).rdev());
            assertEquals(rdevBlk, vfs.lookup(root, n("blk")).rdev());
            // a type of 0 is a regular file, as in Linux; a fifo ignores a device number
            assertEquals(Dinode.S_IFREG | 0644, vfs.mknod(root, n("plain"), 0644, 0, 0, 0).mode());
            assertEquals(0, vfs.mknod(root, n("fifo2"), Dinode.S_IFIFO | 0600, rdevChr, 0, 0).rdev());

            assertErrno(FsException.EEXIST, () -> vfs.mknod(root, n("chr"), Dinode.S_IFIFO | 0600, 0, 0, 0));
            assertErrno(FsException.EPERM, () -> vfs.mknod(root, n("d"), Dinode.S_IFDIR | 0700, 0, 0, 0));
            assertErrno(FsException.EINVAL, () -> vfs.mknod(root, n("odd"), 0070000 | 0600, 0, 0, 0));
            assertErrno(FsException.ENOTDIR, () -> vfs.mknod(fifo, n("x"), Dinode.S_IFIFO | 0600, 0, 0, 0));
            assertErrno(FsException.EINVAL, () -> vfs.open(fifo, 0));

            vfs.link(chr, root, n("chr-link"));
            assertEquals(2, vfs.getattr(chr).nlink());
            vfs.unlink(root, n("sock"));
            vfs.unlink(root, n("fifo2"));
            assertErrno(FsException.ENOENT, () -> vfs.lookup(root, n("sock")));
        }
        Gfs2Tools.assertFsckClean(img);
        try (FileSystemReader r = FileSystemReader.open(img)) {
            Inode c = r.inode(chr);
            assertEquals(4, c.dinode().major());
            assertEquals(64, c.dinode().minor());
            assertEquals(2, c.dinode().nlink());
            assertEquals(259, r.inode(blk).dinode().major());
            assertEquals(0x12345, r.inode(blk).dinode().minor());
            assertEquals(Dinode.S_IFIFO | 0640, r.inode(fifo).dinode().mode());
            assertEquals(0, r.inode(fifo).dinode().size());
        }
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            assertEquals(rdevChr, vfs.lookup(vfs.rootIno(), n("chr-link")).rdev());
            long free = vfs.statfs().bfree();
            vfs.unlink(vfs.rootIno(), n("chr"));
            vfs.unlink(vfs.rootIno(), n("chr-link"));
            vfs.unlink(vfs.rootIno(), n("blk"));
            vfs.unlink(vfs.rootIno(), n("fifo"));
            assertEquals(free + 2, vfs.statfs().bfree(), "blk and fifo freed; chr is still referenced by the lookup");
            vfs.forget(chr, 1);
            assertEquals(free + 3, vfs.statfs().bfree(), "chr freed with its last reference");
            assertErrno(FsException.ENOENT, () -> vfs.lookup(vfs.rootIno(), n("chr-link")));
        }
        Gfs2Tools.assertFsckClean(img);
    }

    @Test
    void exchangeSwapsNamesInOneDirectoryAndAcross() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            long a = vfs.mkdir(root, n("a"), 0755, 0, 0).ino();
            long b = vfs.mkdir(root, n("b"), 0755, 0, 0).ino();
            long f = file(vfs, a, "f", "file f");
            long g = file(vfs, a, "g", "file g");
            long rootNlink = vfs.getattr(root).nlink();

            // two files in one directory
            vfs.rename(a, n("f"), a, n("g"), RENAME_EXCHANGE);
            assertEquals(g, vfs.lookup(a, n("f")).ino());
            assertEquals(f, vfs.lookup(a, n("g")).ino());
            assertEquals(1, vfs.getattr(f).nlink());

            // a directory and a file across parents: link counts and ".." follow
            long sub = vfs.mkdir(b, n("sub"), 0700, 0, 0).ino();
            vfs.mknod(sub, n("inside"), 0644, 0, 0, 0);
            assertEquals(2, vfs.getattr(a).nlink());
            assertEquals(3, vfs.getattr(b).nlink());
            vfs.rename(a, n("f"), b, n("sub"), RENAME_EXCHANGE);
            assertEquals(sub, vfs.lookup(a, n("f")).ino());
            assertEquals(g, vfs.lookup(b, n("sub")).ino());
            assertEquals(3, vfs.getattr(a).nlink());
            assertEquals(2, vfs.getattr(b).nlink());
            assertEquals(a, vfs.lookup(sub, n("..")).ino());
            assertEquals(Dinode.S_IFDIR, vfs.getattr(vfs.lookup(a, n("f")).ino()).mode() & Dinode.S_IFMT);

            // two directories across parents: each ".." follows, counts unchanged
            long other = vfs.mkdir(b, n("other"), 0700, 0, 0).ino();
            vfs.rename(a, n("f"), b, n("other"), RENAME_EXCHANGE);
            assertEquals(other, vfs.lookup(a, n("f")).ino());
            assertEquals(sub, vfs.lookup(b, n("other")).ino());
            assertEquals(a, vfs.lookup(other, n("..")).ino());
            assertEquals(b, vfs.lookup(sub, n("..")).ino());
            assertEquals(3, vfs.getattr(a).nlink());
            assertEquals(3, vfs.getattr(b).nlink());

            // one inode under two names: nothing happens
            vfs.link(f, a, n("f-link"));
            vfs.rename(a, n("g"), a, n("f-link"), RENAME_EXCHANGE);
            assertEquals(f, vfs.lookup(a, n("g")).ino());
            assertEquals(f, vfs.lookup(a, n("f-link")).ino());

            // errors
            assertErrno(FsException.ENOENT, () -> vfs.rename(a, n("missing"), a, n("g"), RENAME_EXCHANGE));
            assertErrno(FsException.ENOENT, () -> vfs.rename(a, n("g"), b, n("missing"), RENAME_EXCHANGE));
            assertErrno(FsException.EINVAL, () -> vfs.rename(a, n("g"), b, n("sub"),
                    RENAME_EXCHANGE | RENAME_NOREPLACE));
            assertErrno(FsException.EINVAL, () -> vfs.rename(a, n("g"), b, n("sub"),
                    RENAME_EXCHANGE | RENAME_WHITEOUT));
            assertErrno(FsException.ENOTDIR, () -> vfs.rename(f, n("x"), a, n("g"), RENAME_EXCHANGE));
            // loops: a directory swapped with something below itself
            long deep = vfs.mkdir(other, n("deep"), 0700, 0, 0).ino();
            vfs.mknod(deep, n("leaf"), 0644, 0, 0, 0);
            assertErrno(FsException.EINVAL, () -> vfs.rename(root, n("a"), deep, n("leaf"), RENAME_EXCHANGE));
            assertErrno(FsException.EINVAL, () -> vfs.rename(deep, n("leaf"), root, n("a"), RENAME_EXCHANGE));
            assertErrno(FsException.EINVAL, () -> vfs.rename(a, n("f"), deep, n("leaf"), RENAME_EXCHANGE));
            assertEquals(other, vfs.lookup(a, n("f")).ino());
            assertEquals(rootNlink, vfs.getattr(root).nlink());
        }
        Gfs2Tools.assertFsckClean(img);
        try (FileSystemReader r = FileSystemReader.open(img)) {
            Inode a = r.lookup(r.root(), "a").orElseThrow();
            Inode other = r.lookup(a, "f").orElseThrow();
            assertEquals(a.addr(), r.lookup(other, "..").orElseThrow().addr());
        }
    }

    /** An exchange between names in an exhash directory and a linear one (leaves and splits). */
    @Test
    void exchangeInLargeDirectories() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 1024);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            long big = vfs.mkdir(root, n("big"), 0755, 0, 0).ino();
            long small = vfs.mkdir(root, n("small"), 0755, 0, 0).ino();
            for (int i = 0; i < 200; i++) {
                vfs.mknod(big, n("name-" + i), 0644, 0, 0, 0);
            }
            long s = vfs.mkdir(small, n("a-rather-long-directory-name-that-takes-room"), 0700, 0, 0).ino();
            for (int i = 0; i < 200; i += 7) {
                long before = vfs.lookup(big, n("name-" + i)).ino();
                long cur = vfs.lookup(small, n("a-rather-long-directory-name-that-takes-room")).ino();
                vfs.rename(big, n("name-" + i), small, n("a-rather-long-directory-name-that-takes-room"),
                        RENAME_EXCHANGE);
                assertEquals(cur, vfs.lookup(big, n("name-" + i)).ino());
                assertEquals(before, vfs.lookup(small, n("a-rather-long-directory-name-that-takes-room")).ino());
            }
            // the directory went round and ends where the last exchange put it
            long parentOfS = vfs.lookup(s, n("..")).ino();
            assertEquals(3, vfs.getattr(parentOfS).nlink());
        }
        Gfs2Tools.assertFsckClean(img);
    }

    private static long file(ReadWriteGfs2Vfs vfs, long parent, String name, String content) throws FsException {
        long ino = vfs.mknod(parent, n(name), 0644, 0, 0, 0).ino();
        long h = vfs.open(ino, 2);
        vfs.write(h, 0, ByteBuffer.wrap(n(content)));
        vfs.release(h);
        return ino;
    }
}
