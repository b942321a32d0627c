package org.gfs2j.fs.mount;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gfs2j.fs.alloc.BlockRun;
import org.gfs2j.fs.alloc.RgrpLocks;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.EaBlock;
import org.gfs2j.fs.ondisk.EaHeader;
import org.gfs2j.fs.ondisk.EdBlock;
import org.gfs2j.fs.ondisk.IndirectBlock;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.testing.KernelImages;
import org.gfs2j.fs.vfs.FsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Removing inodes that own xattr blocks: the kernel images' whole /tree (inline xattrs in EA
 * blocks, a 6000-byte value in ED blocks, a POSIX ACL, a fifo, a device, symlinks, hard links, the
 * kernel-built exhash directory of 2000 entries) removed with our VFS gives back exactly the
 * blocks the inodes' di_blocks counted; and inodes whose EA blocks these tests write with the
 * on-disk codecs (an EA block with an unstuffed value, an indirect EA block with several EA
 * blocks each holding ED-backed values) are freed down to the last block. fsck.gfs2 -n clean.
 */
class XattrDeallocationTest {
    @TempDir
    Path dir;

    private static byte[] n(String s) {
        return s.getBytes(UTF_8);
    }

    private static Dinode dinode(ReadWriteGfs2Vfs vfs, long ino) throws IOException {
        return Dinode.decode(vfs.fileSystem().cache.read(ino, GlockName.inode(ino)), ino);
    }

    private static List<String> names(ReadWriteGfs2Vfs vfs, long dirIno) throws FsException {
        List<String> out = new ArrayList<>();
        long h = vfs.opendir(dirIno);
        try {
            vfs.readdir(h, 0, false, e -> {
                String s = new String(e.name(), UTF_8);
                if (!s.equals(".") && !s.equals("..")) {
                    out.add(s);
                }
                return true;
            });
        } finally {
            vfs.releasedir(h);
        }
        return out;
    }

    /** Every inode below {@code dirIno} (itself included) with its di_blocks, each inode once. */
    private static void collect(ReadWriteGfs2Vfs vfs, long dirIno, Map<Long, Long> blocks) throws IOException {
        blocks.put(dirIno, dinode(vfs, dirIno).blocks());
        for (String name : names(vfs, dirIno)) {
            long ino = vfs.lookup(dirIno, n(name)).ino();
            vfs.forget(ino, 1);
            if (dinode(vfs, ino).isDirectory()) {
                collect(vfs, ino, blocks);
            } else {
                blocks.put(ino, dinode(vfs, ino).blocks());
            }
        }
    }

    /** rm -r of {@code name} in {@code parent}. */
    static void removeTree(ReadWriteGfs2Vfs vfs, long parent, String name) throws FsException {
        long ino = vfs.lookup(parent, n(name)).ino();
        vfs.forget(ino, 1);
        if ((vfs.getattr(ino).mode() & Dinode.S_IFMT) != Dinode.S_IFDIR) {
            vfs.unlink(parent, n(name));
            return;
        }
        for (String child : names(vfs, ino)) {
            removeTree(vfs, ino, child);
        }
        vfs.rmdir(parent, n(name));
    }

    private void removeKernelTree(String image) throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = dir.resolve(image + ".img");
        Files.copy(KernelImages.get(image), img);
        img.toFile().setWritable(true);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            long tree = vfs.lookup(root, n("tree")).ino();
            vfs.forget(tree, 1);
            long zero = vfs.lookup(tree, n("zero")).ino();
            vfs.forget(zero, 1);
            Dinode z = dinode(vfs, zero);
            assertTrue(z.eattr() != 0 && z.blocks() > 2, "tree/zero has an EA block and ED blocks: " + z.blocks());
            assertEquals(6000, vfs.getxattr(zero, "user.big").length);
            Map<Long, Long> owned = new LinkedHashMap<>();
            collect(vfs, tree, owned);
            long total = owned.values().stream().mapToLong(Long::longValue).sum();
            long free0 = vfs.statfs().bfree();
            long rgFree0 = vfs.fileSystem().alloc.freeBlocks();
            long files0 = vfs.statfs().files() - vfs.statfs().ffree();
            removeTree(vfs, root, "tree");
            assertEquals(free0 + total, vfs.statfs().bfree(), "every block the " + owned.size() + " inodes counted");
            assertEquals(rgFree0 + total, vfs.fileSystem().alloc.freeBlocks());
            assertEquals(names(vfs, root), List.of());
            assertTrue(files0 > 0);
        }
        Gfs2Tools.assertFsckClean(img);
    }

    @Test
    void removingTheKernelTreeWith4kBlocksFreesEveryBlock() throws Exception {
        removeKernelTree("kernel-4k");
    }

    @Test
    void removingTheKernelTreeWith1kBlocksFreesEveryBlock() throws Exception {
        removeKernelTree("kernel-1k");
    }

    // ---------------------------------------------------------------- EA blocks written here

    /** One xattr to write: a user.NAME and its value (stuffed when it fits the EA block). */
    private record Attr(String name, byte[] value) {
    }

    /**
     * Gives {@code ino} EA blocks with the codecs, as the kernel lays them out: one EA block when
     * {@code perBlock} lists one block, else an indirect EA block pointing to one EA block per list.
     * Values that do not fit go to ED blocks. Returns the blocks added.
     */
    private static long writeXattrs(ReadWriteGfs2Vfs vfs, long ino, List<List<Attr>> perBlock) throws IOException {
        Gfs2FileSystem fs = vfs.fileSystem();
        int bsize = fs.geo.bsize();
        int jb = fs.geo.jbsize();
        boolean indirect = perBlock.size() > 1;
        int need = perBlock.size() + (indirect ? 1 : 0);
        for (List<Attr> attrs : perBlock) {
            for (Attr a : attrs) {
                if (!EaHeader.fitsStuffed(a.name().length(), a.value().length, fs.geo)) {
                    need += EaHeader.edBlocksFor(a.value().length, fs.geo);
                }
            }
        }
        GlockName g = GlockName.inode(ino);
        try (var h = fs.glocks.acquire(g, org.gfs2j.fs.glock.GlockState.EX);
             RgrpLocks rl = fs.alloc.reserveRgrps(ino, need);
             FsTransaction tx = FsTransaction.begin(fs.cache, need + 1 + fs.alloc.logBlocksFor(fs.rgrps.size()), 0)) {
            fs.alloc.use(tx, rl);
            List<Long> blocks = new ArrayList<>();
            for (BlockRun r : fs.alloc.allocate(tx, ino, need)) {
                for (long b = r.start(); b < r.end(); b++) {
                    blocks.add(b);
                }
            }
            int next = 0;
            long top = blocks.get(next++);
            List<Long> eaBlocks = new ArrayList<>();
            if (indirect) {
                for (int i = 0; i < perBlock.size(); i++) {
                    eaBlocks.add(blocks.get(next++));
                }
                new IndirectBlock(eaBlocks.stream().mapToLong(Long::longValue).toArray()).encode(tx.create(top, g));
            } else {
                eaBlocks.add(top);
            }
            for (int k = 0; k < perBlock.size(); k++) {
                ByteBuffer eb = tx.create(eaBlocks.get(k), g);
                EaBlock.encodeEmpty(eb);
                List<Attr> attrs = perBlock.get(k);
                int off = EaBlock.OFF_RECORDS;
                for (int i = 0; i < attrs.size(); i++) {
                    Attr a = attrs.get(i);
                    byte[] nm = n(a.name());
                    boolean last = i == attrs.size() - 1;
                    long[] ptrs = new long[0];
                    boolean stuffed = EaHeader.fitsStuffed(nm.length, a.value().length, fs.geo);
                    if (!stuffed) {
                        ptrs = new long[EaHeader.edBlocksFor(a.value().length, fs.geo)];
                        for (int p = 0; p < ptrs.length; p++) {
                            ptrs[p] = blocks.get(next++);
                            int from = p * jb;
                            EdBlock.encode(tx.create(ptrs[p], g), a.value(), from, Math.min(jb, a.value().length - from));
                        }
                    }
                    EaHeader probe = new EaHeader(8, a.value().length, nm.length, EaHeader.TYPE_USER, 0, ptrs.length);
                    long recLen = last ? bsize - off : probe.usedSize();
                    EaHeader hdr = new EaHeader(recLen, a.value().length, nm.length, EaHeader.TYPE_USER,
                            last ? EaHeader.FLAG_LAST : 0, ptrs.length);
                    EaBlock.encodeRecord(eb, off, hdr, nm, stuffed ? a.value() : null, ptrs);
                    off += (int) recLen;
                }
            }
            ByteBuffer db = tx.modify(ino, g);
            Dinode d = Dinode.decode(db, ino);
            d.withEattr(top).withFlags(indirect ? d.flags() | Dinode.FLAG_EA_INDIRECT : d.flags())
                    .withBlocks(d.blocks() + need).encode(db);
            tx.commit();
            assertEquals(need, next);
        }
        return need;
    }

    private static byte[] random(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    @Test
    void eaBlocksEdBlocksAndIndirectEaBlocksAreFreed() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 1024);
        Random rnd = new Random(7);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            long free0 = vfs.statfs().bfree();
            // one EA block: an inline value and a 5000-byte value in ED blocks, on a file with data
            long f = vfs.mknod(root, n("one"), 0644, 0, 0, 0).ino();
            DirectoryDeallocationTest.write(vfs, f, random(rnd, 30_000));
            byte[] big = random(rnd, 5000);
            long added = writeXattrs(vfs, f, List.of(List.of(new Attr("small", n("v")), new Attr("big", big))));
            assertEquals(1 + 5, added);
            assertArrayEquals(big, vfs.getxattr(f, "user.big"));
            assertArrayEquals(n("v"), vfs.getxattr(f, "user.small"));
            // an indirect EA block with three EA blocks, two unstuffed values each, around a stuffed one
            long g = vfs.mknod(root, n("many"), 0644, 0, 0, 0).ino();
            List<List<Attr>> blocks = new ArrayList<>();
            Map<String, byte[]> values = new LinkedHashMap<>();
            for (int k = 0; k < 3; k++) {
                List<Attr> attrs = new ArrayList<>();
                for (String s : List.of("x" + k, "s" + k, "y" + k)) {
                    byte[] v = s.startsWith("s") ? n("stuffed " + k) : random(rnd, 1500 + 700 * k);
                    attrs.add(new Attr(s, v));
                    values.put("user." + s, v);
                }
                blocks.add(attrs);
            }
            writeXattrs(vfs, g, blocks);
            assertEquals(List.copyOf(values.keySet()), vfs.listxattr(g));
            for (var e : values.entrySet()) {
                assertArrayEquals(e.getValue(), vfs.getxattr(g, e.getKey()));
            }
            // a directory with an EA block
            long d = vfs.mkdir(root, n("dir"), 0755, 0, 0).ino();
            writeXattrs(vfs, d, List.of(List.of(new Attr("dir", n("yes")))));
            assertTrue(vfs.statfs().bfree() < free0 - 40);

            vfs.unlink(root, n("one"));
            vfs.unlink(root, n("many"));
            vfs.rmdir(root, n("dir"));
            assertEquals(free0, vfs.statfs().bfree(), "every EA, ED, indirect EA, data block and dinode freed");
        }
        Gfs2Tools.assertFsckClean(img);
        try (FileSystemReader r = FileSystemReader.open(img)) {
            assertTrue(r.lookup(r.root(), "many").isEmpty());
        }
    }
}
