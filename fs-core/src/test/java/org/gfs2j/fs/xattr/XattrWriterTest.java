package org.gfs2j.fs.xattr;

import static org.gfs2j.fs.xattr.XattrTestSupport.assertBlocksCounted;
import static org.gfs2j.fs.xattr.XattrTestSupport.assertErrno;
import static org.gfs2j.fs.xattr.XattrTestSupport.dinode;
import static org.gfs2j.fs.xattr.XattrTestSupport.filled;
import static org.gfs2j.fs.xattr.XattrTestSupport.freeBlocks;
import static org.gfs2j.fs.xattr.XattrTestSupport.layout;
import static org.gfs2j.fs.xattr.XattrTestSupport.n;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.vfs.FsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * setxattr/removexattr through the read-write VFS: flags and errnos, the record layout the kernel
 * would leave (split, reuse, merge on removal), values across the stuffed/ED boundary, indirect
 * EA blocks, block accounting, a remount that reads the same, and fsck.gfs2 -n after every test.
 */
class XattrWriterTest {
    private static final int CREATE = XattrWriter.XATTR_CREATE;
    private static final int REPLACE = XattrWriter.XATTR_REPLACE;

    @TempDir
    Path dir;

    private long file(ReadWriteGfs2Vfs vfs, String name) throws FsException {
        return vfs.mknod(vfs.rootIno(), n(name), Dinode.S_IFREG | 0644, 0, 0, 0).ino();
    }

    /** Sets an inode's ctime to 0 (so a test sees whether an operation sets it). */
    static void zeroCtime(ReadWriteGfs2Vfs vfs, long ino) throws Exception {
        try (org.gfs2j.fs.cache.FsTransaction tx = org.gfs2j.fs.cache.FsTransaction.begin(vfs.fileSystem().cache, 1, 0)) {
            tx.modify(ino, org.gfs2j.fs.glock.GlockName.inode(ino)).putLong(Dinode.OFF_CTIME, 0);
            tx.commit();
        }
        assertEquals(0, dinode(vfs, ino).ctime());
    }

    @Test
    void flagsAndErrorsAreLinuxs() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 64, 32, 4096);
        long f;
        String longest = "user." + "n".repeat(250);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            f = file(vfs, "f");
            // no EA block yet
            assertErrno(FsException.ENODATA, () -> vfs.setxattr(f, "user.a", n("x"), REPLACE));
            assertErrno(FsException.ENODATA, () -> vfs.removexattr(f, "user.a"));
            assertErrno(FsException.ENODATA, () -> vfs.getxattr(f, "user.a"));
            assertEquals(0, dinode(vfs, f).eattr(), "failed calls allocate nothing");

            vfs.setxattr(f, "user.a", n("one"), CREATE);
            assertArrayEquals(n("one"), vfs.getxattr(f, "user.a"));
            assertErrno(FsException.EEXIST, () -> vfs.setxattr(f, "user.a", n("two"), CREATE));
            assertErrno(FsException.ENODATA, () -> vfs.setxattr(f, "user.b", n("two"), REPLACE));
            assertErrno(FsException.ENODATA, () -> vfs.removexattr(f, "user.b"));
            vfs.setxattr(f, "user.a", n("three"), REPLACE);
            assertArrayEquals(n("three"), vfs.getxattr(f, "user.a"));
            vfs.setxattr(f, "user.a", n("four"), 0);
            assertArrayEquals(n("four"), vfs.getxattr(f, "user.a"));

            // names
            assertErrno(FsException.EOPNOTSUPP, () -> vfs.setxattr(f, "foo.bar", n("x"), 0));
            assertErrno(FsException.EOPNOTSUPP, () -> vfs.setxattr(f, "system.foo", n("x"), 0));
            assertErrno(FsException.EOPNOTSUPP, () -> vfs.removexattr(f, "bar"));
            assertErrno(FsException.EINVAL, () -> vfs.setxattr(f, "user.", n("x"), 0));
            assertErrno(FsException.ERANGE, () -> vfs.setxattr(f, longest + "n", n("x"), 0));
            assertErrno(FsException.ERANGE, () -> vfs.removexattr(f, longest + "n"));
            assertErrno(FsException.EINVAL, () -> vfs.setxattr(f, "user.a", n("x"), 4));
            vfs.setxattr(f, longest, n("longest name"), CREATE);
            assertArrayEquals(n("longest name"), vfs.getxattr(f, longest));
            // sizes: 64 KiB is the limit
            assertErrno(FsException.E2BIG, () -> vfs.setxattr(f, "user.big", new byte[65537], 0));
            vfs.setxattr(f, "user.big", filled(65536, 3), 0);
            assertArrayEquals(filled(65536, 3), vfs.getxattr(f, "user.big"));
            // every namespace and an empty value
            vfs.setxattr(f, "trusted.t", n("T"), 0);
            vfs.setxattr(f, "security.s", n("S"), 0);
            vfs.setxattr(f, "user.empty", new byte[0], 0);
            assertArrayEquals(new byte[0], vfs.getxattr(f, "user.empty"));
            byte[] binaryName = {'u', 's', 'e', 'r', '.', (byte) 0xe9, (byte) 0xff};
            String bin = new String(binaryName, java.nio.charset.StandardCharsets.ISO_8859_1);
            vfs.setxattr(f, bin, n("latin"), 0);
            assertEquals(List.of("user.a", longest, "user.big", "trusted.t", "security.s", "user.empty", bin),
                    vfs.listxattr(f));
            assertBlocksCounted(vfs, f);

            zeroCtime(vfs, f);
            vfs.setxattr(f, "user.a", n("five"), 0);
            assertTrue(dinode(vfs, f).ctime() > 0, "setxattr sets ctime");
            zeroCtime(vfs, f);
            vfs.removexattr(f, "user.empty");
            assertTrue(dinode(vfs, f).ctime() > 0, "removexattr sets ctime");
            vfs.setxattr(f, "user.empty", new byte[0], 0);
            vfs.setxattr(f, "user.a", n("four"), 0);
            // symlinks carry user attributes too, but no ACLs
            long l = vfs.symlink(vfs.rootIno(), n("l"), n("f"), 0, 0).ino();
            vfs.setxattr(l, "user.on-link", n("y"), 0);
            assertArrayEquals(n("y"), vfs.getxattr(l, "user.on-link"));
        }
        Gfs2Tools.assertFsckClean(img);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            assertArrayEquals(filled(65536, 3), vfs.getxattr(f, "user.big"));
            assertArrayEquals(n("four"), vfs.getxattr(f, "user.a"));
            vfs.removexattr(f, "user.big");
            vfs.removexattr(f, longest);
            assertErrno(FsException.ENODATA, () -> vfs.getxattr(f, "user.big"));
            assertEquals(new java.util.TreeSet<>(List.of("user.a", "trusted.t", "security.s", "user.empty",
                    new String(new byte[] {'u', 's', 'e', 'r', '.', (byte) 0xe9, (byte) 0xff},
                            java.nio.charset.StandardCharsets.ISO_8859_1))), new java.util.TreeSet<>(vfs.listxattr(f)));
            assertBlocksCounted(vfs, f);
        }
        Gfs2Tools.assertFsckClean(img);
    }

    @Test
    void recordsSplitMergeAndAreReusedAsTheKernelDoes() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 64, 32, 4096);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long f = file(vfs, "f");
            vfs.setxattr(f, "user.a", n("1"), 0);
            assertEquals("a=1", layout(vfs, f));
            vfs.setxattr(f, "user.b", n("22"), 0);
            vfs.setxattr(f, "user.c", n("333"), 0);
            vfs.setxattr(f, "user.e", n("55555"), 0);
            assertEquals("a=1,b=2,c=3,e=5", layout(vfs, f));
            vfs.removexattr(f, "user.b"); // middle: merges into a
            assertEquals("a=1,c=3,e=5", layout(vfs, f));
            vfs.removexattr(f, "user.a"); // first: stays as an UNUSED record of a's and b's room
            assertEquals("-48,c=3,e=5", layout(vfs, f));
            vfs.setxattr(f, "user.d", n("4444"), 0); // takes the UNUSED record whole
            assertEquals("d=4,c=3,e=5", layout(vfs, f));
            vfs.removexattr(f, "user.e"); // last: c takes the rest of the block
            assertEquals("d=4,c=3", layout(vfs, f));
            vfs.setxattr(f, "user.d", n("4x4x4x4x4"), 0); // replace: new copy in c's slack, old one goes
            assertEquals("-48,c=3,d=9", layout(vfs, f));
            vfs.removexattr(f, "user.c");
            vfs.removexattr(f, "user.d");
            assertEquals("-4072", layout(vfs, f), "removals merge into the UNUSED record before them");
            assertEquals(List.of(), vfs.listxattr(f));
            assertEquals(2, dinode(vfs, f).blocks(), "the EA block stays, as in the kernel");
            assertBlocksCounted(vfs, f);

            long free = freeBlocks(vfs);
            vfs.setxattr(f, "user.p", n("1"), 0);
            vfs.setxattr(f, "user.big", filled(5000, 1), 0);
            vfs.setxattr(f, "user.q", n("2"), 0);
            assertEquals("p=1,big=5000*,q=1", layout(vfs, f));
            assertEquals(4, dinode(vfs, f).blocks());
            vfs.removexattr(f, "user.big"); // an ED-backed record in the middle: blocks freed, merged into p
            assertEquals("p=1,q=1", layout(vfs, f));
            assertEquals(2, dinode(vfs, f).blocks());
            assertEquals(free, freeBlocks(vfs));
            assertArrayEquals(n("2"), vfs.getxattr(f, "user.q"));
        }
        Gfs2Tools.assertFsckClean(img);
    }

    @Test
    void replaceGrowsAndShrinksAcrossTheStuffedBoundary() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 64, 32, 4096);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long f = file(vfs, "f");
            long free0 = freeBlocks(vfs);
            // jbsize 4072: a 1-byte name and 4055 bytes make exactly one stuffed record
            vfs.setxattr(f, "user.v", filled(4055, 1), 0);
            assertEquals("v=4055", layout(vfs, f));
            assertEquals(2, dinode(vfs, f).blocks());
            vfs.setxattr(f, "user.v", filled(4056, 2), 0); // no room beside the old copy: a second EA block
            assertEquals("-4072|v=4056*", layout(vfs, f));
            assertTrue(dinode(vfs, f).hasFlag(Dinode.FLAG_EA_INDIRECT));
            assertEquals(5, dinode(vfs, f).blocks(), "dinode, indirect, 2 EA, 1 ED");
            assertArrayEquals(filled(4056, 2), vfs.getxattr(f, "user.v"));
            vfs.setxattr(f, "user.v", filled(10, 3), 0); // shrinks into the first block; the ED block goes
            assertEquals("v=10|-4072", layout(vfs, f));
            assertEquals(4, dinode(vfs, f).blocks());
            vfs.setxattr(f, "user.v", filled(65536, 4), 0);
            assertEquals("-32,v=65536*|-4072", layout(vfs, f));
            assertEquals(4 + 17, dinode(vfs, f).blocks());
            assertArrayEquals(filled(65536, 4), vfs.getxattr(f, "user.v"));
            assertEquals(free0 - 20, freeBlocks(vfs), "statfs counts what di_blocks counts");
            vfs.setxattr(f, "user.v", filled(8000, 5), REPLACE); // unstuffed to unstuffed
            assertArrayEquals(filled(8000, 5), vfs.getxattr(f, "user.v"));
            assertEquals(4 + 2, dinode(vfs, f).blocks());
            vfs.removexattr(f, "user.v");
            assertEquals(4, dinode(vfs, f).blocks());
            assertEquals(free0 - 3, freeBlocks(vfs));
            assertBlocksCounted(vfs, f);
        }
        Gfs2Tools.assertFsckClean(img);
    }

    @Test
    void manyAttributesUseAnIndirectBlockAndRemovalAnywhereKeepsTheRest() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 64, 32, 4096);
        long f;
        Map<String, byte[]> expect = new LinkedHashMap<>();
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            f = file(vfs, "f");
            for (int i = 0; i < 100; i++) { // 224-byte records: 18 per EA block
                String name = String.format("user.attr-%03d", i);
                byte[] v = filled(200, i);
                vfs.setxattr(f, name, v, CREATE);
                expect.put(name, v);
            }
            Dinode d = dinode(vfs, f);
            assertTrue(d.hasFlag(Dinode.FLAG_EA_INDIRECT));
            assertEquals(6, vfs.fileSystem().reader.xattrs(XattrTestSupport.inode(vfs, f)).eaBlocks().size());
            assertEquals(new ArrayList<>(expect.keySet()), vfs.listxattr(f));
            assertBlocksCounted(vfs, f);
            long blocks = d.blocks();
            // first of the first block, middle, last of a block, last of all
            for (int i : new int[] {0, 9, 17, 35, 50, 99}) {
                String name = String.format("user.attr-%03d", i);
                vfs.removexattr(f, name);
                expect.remove(name);
            }
            assertEquals(new ArrayList<>(expect.keySet()), vfs.listxattr(f));
            for (var e : expect.entrySet()) {
                assertArrayEquals(e.getValue(), vfs.getxattr(f, e.getKey()), e.getKey());
            }
            // the freed room is found again: no new block
            for (int i = 0; i < 6; i++) {
                String name = String.format("user.again-%02d", i);
                vfs.setxattr(f, name, filled(197, i), 0);
                expect.put(name, filled(197, i));
            }
            assertEquals(blocks, dinode(vfs, f).blocks());
            assertBlocksCounted(vfs, f);
        }
        Gfs2Tools.assertFsckClean(img);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            assertEquals(expect.size(), vfs.listxattr(f).size());
            for (var e : expect.entrySet()) {
                assertArrayEquals(e.getValue(), vfs.getxattr(f, e.getKey()), e.getKey());
            }
            for (String name : new ArrayList<>(expect.keySet())) {
                vfs.removexattr(f, name);
            }
            assertEquals(List.of(), vfs.listxattr(f));
            assertBlocksCounted(vfs, f);
        }
        Gfs2Tools.assertFsckClean(img);
    }

    @Test
    void smallBlocksHoldLargeValuesOrSayERANGE() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img1k", 64, 32, 1024);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long f = file(vfs, "f");
            vfs.setxattr(f, "user.big", filled(65536, 9), 0); // 66 ED blocks of 1000 bytes
            assertArrayEquals(filled(65536, 9), vfs.getxattr(f, "user.big"));
            assertEquals(2 + 66, dinode(vfs, f).blocks());
            for (int i = 0; i < 40; i++) {
                vfs.setxattr(f, "user.s" + i, filled(60, i), 0);
            }
            assertTrue(dinode(vfs, f).hasFlag(Dinode.FLAG_EA_INDIRECT));
            vfs.setxattr(f, "user.big", filled(3, 9), 0);
            assertArrayEquals(filled(3, 9), vfs.getxattr(f, "user.big"));
            assertBlocksCounted(vfs, f);
        }
        Gfs2Tools.assertFsckClean(img);
        Path small = TestMount.mkfs(dir, "img512", 64, 32, 512);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(small, MountConfig.of(0))) {
            long f = file(vfs, "f");
            // 135 ED pointers do not fit a 488-byte EA record area: the kernel's ERANGE
            assertErrno(FsException.ERANGE, () -> vfs.setxattr(f, "user.big", new byte[65536], 0));
            assertFalse(dinode(vfs, f).eattr() != 0, "nothing allocated");
            vfs.setxattr(f, "user.mid", filled(20000, 1), 0);
            assertArrayEquals(filled(20000, 1), vfs.getxattr(f, "user.mid"));
            assertBlocksCounted(vfs, f);
            // one 488-byte record per EA block: the indirect block's 61 pointers are the limit
            long g = file(vfs, "g");
            int inptrs = vfs.fileSystem().geo.inptrs();
            for (int i = 0; i < inptrs; i++) {
                vfs.setxattr(g, String.format("user.k%02d", i), filled(469, i), 0);
            }
            assertEquals(2 + inptrs, dinode(vfs, g).blocks());
            assertErrno(FsException.ENOSPC, () -> vfs.setxattr(g, "user.one-more", filled(469, 0), 0));
            assertEquals(2 + inptrs, dinode(vfs, g).blocks(), "nothing allocated");
            // as in the kernel, a replacement is written before the old copy goes: no room, ENOSPC
            assertErrno(FsException.ENOSPC, () -> vfs.setxattr(g, "user.k00", filled(400, 7), 0));
            assertArrayEquals(filled(469, 0), vfs.getxattr(g, "user.k00"));
            vfs.removexattr(g, "user.k05");
            vfs.setxattr(g, "user.k99", filled(469, 0), 0); // into the freed record
            assertArrayEquals(filled(469, 0), vfs.getxattr(g, "user.k99"));
            assertEquals(2 + inptrs, dinode(vfs, g).blocks());
            assertBlocksCounted(vfs, g);
        }
        Gfs2Tools.assertFsckClean(small);
    }

    @Test
    void aCorruptEaBlockIsAnIoErrorAndNothingElse() throws Exception {
        Path img = TestMount.mkfs(dir, "img", 64, 32, 4096);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long f = file(vfs, "f");
            vfs.setxattr(f, "user.a", n("1"), 0);
            long ea = dinode(vfs, f).eattr();
            try (org.gfs2j.fs.cache.FsTransaction tx = org.gfs2j.fs.cache.FsTransaction.begin(vfs.fileSystem().cache, 1, 0)) {
                tx.modify(ea, org.gfs2j.fs.glock.GlockName.inode(f)).putInt(24, 13); // ea_rec_len not a multiple of 8
                tx.commit();
            }
            long free = freeBlocks(vfs);
            assertErrno(FsException.EIO, () -> vfs.setxattr(f, "user.b", n("2"), 0));
            assertErrno(FsException.EIO, () -> vfs.removexattr(f, "user.a"));
            assertErrno(FsException.EIO, () -> vfs.getxattr(f, "user.a"));
            assertEquals(free, freeBlocks(vfs), "nothing allocated");
            assertEquals(2, dinode(vfs, f).blocks());
        }
    }

    @Test
    void aFullFileSystemStillTakesValuesThatFitAndSaysENOSPCForOthers() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "small", 48, 32, 4096);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long f = file(vfs, "f");
            vfs.setxattr(f, "user.a", n("1"), 0);
            long fill = file(vfs, "fill");
            long h = vfs.open(fill, 1);
            long written = 0;
            for (int chunk : new int[] {1 << 20, 4096}) {
                try {
                    while (true) {
                        vfs.write(h, written, java.nio.ByteBuffer.wrap(new byte[chunk]));
                        written += chunk;
                    }
                } catch (FsException e) {
                    assertEquals(FsException.ENOSPC, e.errno(), e.getMessage());
                }
            }
            vfs.release(h);
            long filler = file(vfs, "filler"); // the rest with attributes of one ED block each
            try {
                for (int i = 0; ; i++) {
                    vfs.setxattr(filler, "user.f" + i, filled(4056, i), 0);
                }
            } catch (FsException e) {
                assertEquals(FsException.ENOSPC, e.errno(), e.getMessage());
            }
            assertTrue(freeBlocks(vfs) < 3, "full: " + freeBlocks(vfs));
            String before = layout(vfs, f);
            assertErrno(FsException.ENOSPC, () -> vfs.setxattr(f, "user.big", filled(65536, 1), 0));
            assertEquals(before, layout(vfs, f), "nothing changed");
            assertEquals(2, dinode(vfs, f).blocks());
            vfs.setxattr(f, "user.small", n("fits the EA block"), 0); // no allocation, no reservation
            vfs.removexattr(f, "user.a");
            assertEquals(List.of("user.small"), vfs.listxattr(f));
            assertBlocksCounted(vfs, f);
        }
        Gfs2Tools.assertFsckClean(img);
    }
}
