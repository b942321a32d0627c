package org.gfs2j.fs.xattr;

import static org.gfs2j.fs.xattr.XattrTestSupport.n;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.meta.Xattr;
import org.gfs2j.fs.meta.XattrReader;
import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.EaBlock;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.testing.KernelImages;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a copy of each kernel-written image, gives new files the attributes the kernel gave
 * tree/zero (a 6000-byte value in ED blocks), tree/a, tree/hello.txt and tree/a/b/4097 (an ACL,
 * set through the ACL rules), and compares what we write with what the kernel wrote: the EA
 * block byte for byte (ED pointers aside), the ED blocks byte for byte, di_blocks, the mode the
 * ACL implies, and the decoded attributes (what getfattr shows). The image stays fsck clean.
 */
class KernelXattrLayoutTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void weWriteWhatTheKernelWrote(String image) throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = dir.resolve(image + ".img");
        Gfs2Tools.Result cp = Gfs2Tools.run(List.of("cp", "--sparse=always", KernelImages.get(image).toString(), img.toString()));
        assertEquals(0, cp.exit(), cp.output());
        img.toFile().setWritable(true);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long tree = vfs.lookup(vfs.rootIno(), n("tree")).ino();
            long a = vfs.lookup(tree, n("a")).ino();
            long b = vfs.lookup(a, n("b")).ino();
            compare(vfs, vfs.lookup(tree, n("zero")).ino(), tree, "zero2", Dinode.S_IFREG | 0644);
            compare(vfs, vfs.lookup(tree, n("hello.txt")).ino(), tree, "hello2", Dinode.S_IFREG | 0644);
            compare(vfs, a, tree, "a2", Dinode.S_IFDIR | 0755);
            compare(vfs, vfs.lookup(b, n("4097")).ino(), b, "4097-2", Dinode.S_IFREG | 0644);
        }
        Gfs2Tools.assertFsckClean(img);
    }

    /** Creates {@code name} in {@code parent}, sets {@code kernelIno}'s attributes in their order, compares. */
    private static void compare(ReadWriteGfs2Vfs vfs, long kernelIno, long parent, String name, int mode)
            throws Exception {
        long ours = (mode & Dinode.S_IFMT) == Dinode.S_IFDIR ? vfs.mkdir(parent, n(name), mode & 07777, 0, 0).ino()
                : vfs.mknod(parent, n(name), mode, 0, 0, 0).ino();
        Inode k = vfs.fileSystem().reader.inode(kernelIno);
        List<Xattr> kernelAttrs = vfs.fileSystem().reader.xattrs(k).list();
        assertTrue(!kernelAttrs.isEmpty(), "the kernel image has attributes on inode " + kernelIno);
        for (Xattr x : kernelAttrs) {
            vfs.setxattr(ours, x.linuxName(), x.value(), XattrWriter.XATTR_CREATE);
        }
        Inode o = vfs.fileSystem().reader.inode(ours);
        XattrReader kr = vfs.fileSystem().reader.xattrs(k);
        XattrReader or = vfs.fileSystem().reader.xattrs(o);
        assertEquals(names(kernelAttrs), names(or.list()), name);
        for (int i = 0; i < kernelAttrs.size(); i++) {
            assertArrayEquals(kernelAttrs.get(i).value(), or.list().get(i).value(), name + " " + kernelAttrs.get(i).linuxName());
        }
        assertEquals(kr.blockCount(), or.blockCount(), name + ": attribute blocks");
        assertEquals(k.dinode().mode() & 07777, o.dinode().mode() & 07777, name + ": the mode the ACL implies");
        assertEquals(k.dinode().hasFlag(Dinode.FLAG_EA_INDIRECT), o.dinode().hasFlag(Dinode.FLAG_EA_INDIRECT));
        List<Long> kb = kr.eaBlocks();
        List<Long> ob = or.eaBlocks();
        assertEquals(kb.size(), ob.size());
        for (int i = 0; i < kb.size(); i++) {
            ByteBuffer kbuf = copy(vfs, kb.get(i));
            ByteBuffer obuf = copy(vfs, ob.get(i));
            List<long[]> kEd = zeroPointers(kbuf, kb.get(i));
            List<long[]> oEd = zeroPointers(obuf, ob.get(i));
            assertEquals(HexFormat.of().formatHex(kbuf.array()), HexFormat.of().formatHex(obuf.array()),
                    name + ": EA block " + i + " (kernel's " + kb.get(i) + ", ours " + ob.get(i) + ")");
            for (int r = 0; r < kEd.size(); r++) {
                for (int p = 0; p < kEd.get(r).length; p++) {
                    assertArrayEquals(copy(vfs, kEd.get(r)[p]).array(), copy(vfs, oEd.get(r)[p]).array(),
                            name + ": ED block " + p);
                }
            }
        }
    }

    private static List<String> names(List<Xattr> xs) {
        List<String> out = new ArrayList<>();
        xs.forEach(x -> out.add(x.linuxName()));
        return out;
    }

    private static ByteBuffer copy(ReadWriteGfs2Vfs vfs, long block) throws Exception {
        ByteBuffer src = vfs.fileSystem().cache.read(block);
        ByteBuffer c = ByteBuffer.allocate(src.capacity());
        c.put(0, src, 0, src.capacity());
        return c;
    }

    /** Zeroes the ED pointers of every used record (block numbers differ); returns them per record. */
    private static List<long[]> zeroPointers(ByteBuffer b, long block) throws Exception {
        List<long[]> out = new ArrayList<>();
        for (EaBlock.Entry e : EaBlock.walk(b, block, 1802)) {
            if (e.header().isUnused() || e.header().isStuffed()) {
                continue;
            }
            for (int p = 0; p < e.pointers().length; p++) {
                b.putLong(e.offset() + e.header().valueOffset() + 8 * p, 0);
            }
            out.add(e.pointers());
        }
        return out;
    }
}
