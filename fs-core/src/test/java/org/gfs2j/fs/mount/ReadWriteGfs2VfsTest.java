package org.gfs2j.fs.mount;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.meta.DirectoryReader;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.vfs.DirEntry;
import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.fs.vfs.InodeAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read-write VFS slice: results and errnos, fsck.gfs2 -n after unmount, the read path and a remount agree. */
class ReadWriteGfs2VfsTest {
    @TempDir
    Path dir;

    private static byte[] n(String s) {
        return s.getBytes(UTF_8);
    }

    private static int errno(FsException e) {
        return e.errno();
    }

    private static void assertErrno(int expected, org.junit.jupiter.api.function.Executable op) {
        FsException e = assertThrows(FsException.class, op);
        assertEquals(expected, errno(e), e.getMessage());
    }

    @Test
    void operationsTheirErrnosAndACleanImage() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        long aIno;
        long dIno;
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            assertTrue(vfs.isWritable());
            long rootNlink = vfs.getattr(root).nlink();

            InodeAttributes a = vfs.mknod(root, n("a"), Dinode.S_IFREG | 0640, 0, 1000, 100);
            aIno = a.ino();
            assertEquals(Dinode.S_IFREG | 0640, a.mode());
            assertEquals(1, a.nlink());
            assertEquals(1000, a.uid());
            assertEquals(100, a.gid());
            assertEquals(0, a.size());
            assertEquals(a, vfs.lookup(root, n("a")));
            assertErrno(FsException.EEXIST, () -> vfs.mknod(root, n("a"), Dinode.S_IFREG | 0600, 0, 0, 0));
            assertErrno(FsException.EEXIST, () -> vfs.mkdir(root, n("a"), 0755, 0, 0));
            assertErrno(FsException.ENOTDIR, () -> vfs.mknod(aIno, n("x"), Dinode.S_IFREG | 0600, 0, 0, 0));
            assertErrno(FsException.ENAMETOOLONG, () -> vfs.mknod(root, new byte[256], 0600, 0, 0, 0));

            InodeAttributes d = vfs.mkdir(root, n("d"), 0750, 7, 8);
            dIno = d.ino();
            assertEquals(Dinode.S_IFDIR | 0750, d.mode());
            assertEquals(2, d.nlink());
            assertEquals(rootNlink + 1, vfs.getattr(root).nlink());
            List<String> names = list(vfs, dIno);
            assertEquals(List.of(".", ".."), names);
            InodeAttributes x = vfs.mknod(dIno, n("x"), 0600, 0, 0, 0);
            assertEquals(Dinode.S_IFREG | 0600, x.mode());

            assertErrno(FsException.ENOTEMPTY, () -> vfs.rmdir(root, n("d")));
            assertErrno(FsException.EISDIR, () -> vfs.unlink(root, n("d")));
            assertErrno(FsException.ENOTDIR, () -> vfs.rmdir(root, n("a")));
            assertErrno(FsException.ENOENT, () -> vfs.unlink(root, n("missing")));
            assertErrno(FsException.ENOENT, () -> vfs.rmdir(root, n("missing")));

            long h = vfs.open(aIno, 2 /* O_RDWR */);
            assertEquals(0, vfs.read(h, 0, 10, ByteBuffer.allocate(10)));
            assertEquals(2, vfs.write(h, 3, ByteBuffer.wrap(n("hi"))));
            ByteBuffer got = ByteBuffer.allocate(10);
            assertEquals(5, vfs.read(h, 0, 10, got));
            assertEquals("\0\0\0hi", new String(got.array(), 0, 5, UTF_8));
            vfs.setattr(aIno, null, null, null, 0L, null, null);
            vfs.fsync(h, false);
            vfs.release(h);
            // rename: within a directory, across, over a victim, errnos
            vfs.rename(root, n("a"), root, n("b"), 0);
            assertErrno(FsException.ENOENT, () -> vfs.lookup(root, n("a")));
            assertEquals(aIno, vfs.lookup(root, n("b")).ino());
            InodeAttributes moved = vfs.mkdir(root, n("m"), 0700, 0, 0);
            long nlinkBefore = vfs.getattr(root).nlink();
            vfs.rename(root, n("m"), dIno, n("m2"), 0);
            assertEquals(nlinkBefore - 1, vfs.getattr(root).nlink());
            assertEquals(3, vfs.getattr(dIno).nlink());
            long dotdot = vfs.lookup(moved.ino(), n("..")).ino();
            assertEquals(dIno, dotdot);
            assertErrno(FsException.EINVAL, () -> vfs.rename(root, n("d"), moved.ino(), n("loop"), 0));
            assertErrno(FsException.ENOTDIR, () -> vfs.rename(dIno, n("m2"), root, n("b"), 0));
            assertErrno(FsException.EISDIR, () -> vfs.rename(root, n("b"), dIno, n("m2"), 0));
            assertErrno(FsException.EISDIR, () -> vfs.rename(root, n("b"), root, n("d"), 0));
            vfs.mkdir(root, n("e"), 0700, 0, 0);
            assertErrno(FsException.ENOTEMPTY, () -> vfs.rename(root, n("e"), root, n("d"), 0));
            vfs.rmdir(root, n("e"));
            assertErrno(FsException.EEXIST, () -> vfs.rename(root, n("b"), root, n("d"), 1));
            assertErrno(FsException.ENOENT, () -> vfs.rename(root, n("nope"), root, n("x"), 0));
            InodeAttributes victim = vfs.mknod(root, n("victim"), 0600, 0, 0, 0);
            long vh = vfs.open(victim.ino(), 1);
            vfs.write(vh, 0, ByteBuffer.wrap(new byte[100_000]));
            vfs.release(vh);
            long freeBefore = vfs.statfs().bfree();
            vfs.rename(root, n("b"), root, n("victim"), 0);
            assertEquals(aIno, vfs.lookup(root, n("victim")).ino());
            assertErrno(FsException.ESTALE, () -> vfs.getattr(victim.ino()));
            assertEquals(freeBefore + 26, vfs.statfs().bfree(), "the victim's dinode and 25 data blocks");
            vfs.rename(root, n("victim"), root, n("a"), 0);
            vfs.rmdir(dIno, n("m2"));
            InodeAttributes sl = vfs.symlink(root, n("s"), n("a"), 5, 6);
            assertEquals(Dinode.S_IFLNK | 0777, sl.mode());
            assertEquals(1, sl.size());
            assertEquals("a", new String(vfs.readlink(sl.ino()), UTF_8));
            assertErrno(FsException.ENAMETOOLONG, () -> vfs.symlink(root, n("s2"), new byte[4096 - 232], 0, 0));
            assertErrno(FsException.EEXIST, () -> vfs.symlink(root, n("s"), n("b"), 0, 0));

            InodeAttributes linked = vfs.link(aIno, dIno, n("a2"));
            assertEquals(2, linked.nlink());
            assertEquals(aIno, vfs.lookup(dIno, n("a2")).ino());
            assertErrno(FsException.EEXIST, () -> vfs.link(aIno, root, n("s")));
            assertErrno(FsException.EPERM, () -> vfs.link(dIno, root, n("dlink")));
            vfs.unlink(root, n("a"));
            assertEquals(1, vfs.getattr(aIno).nlink());
            vfs.link(aIno, root, n("a"));
            vfs.unlink(dIno, n("a2"));
            assertEquals(1, vfs.getattr(aIno).nlink());

            InodeAttributes set = vfs.setattr(aIno, 0604, 2000L, 300L, null, 1_600_000_000_123_456_789L,
                    1_500_000_000_000_000_001L);
            assertEquals(Dinode.S_IFREG | 0604, set.mode());
            assertEquals(2000, set.uid());
            assertEquals(300, set.gid());
            assertEquals(1_600_000_000L, set.atimeSec());
            assertEquals(123_456_789, set.atimeNsec());
            assertEquals(1_500_000_000L, set.mtimeSec());
            assertEquals(1, set.mtimeNsec());
            assertErrno(FsException.EISDIR, () -> vfs.setattr(dIno, null, null, null, 5L, null, null));
            assertErrno(FsException.EISDIR, () -> vfs.open(dIno, 0));
            assertErrno(FsException.EBADF, () -> vfs.read(999_999, 0, 1, ByteBuffer.allocate(1)));
            long ro = vfs.open(aIno, 0);
            assertErrno(FsException.EBADF, () -> vfs.write(ro, 0, ByteBuffer.wrap(n("x"))));
            vfs.release(ro);

            vfs.unlink(dIno, n("x"));
            assertErrno(FsException.ENOENT, () -> vfs.lookup(dIno, n("x")));
            assertErrno(FsException.ESTALE, () -> vfs.getattr(x.ino()));
            vfs.mknod(dIno, n("y"), 0644, 0, 0, 0);
            vfs.mkdir(dIno, n("sub"), 0700, 0, 0);
            assertEquals(3, vfs.getattr(dIno).nlink());
            vfs.mkdir(root, n("gone"), 0700, 0, 0);
            vfs.rmdir(root, n("gone"));
            assertEquals(rootNlink + 1, vfs.getattr(root).nlink());
        }
        Gfs2Tools.assertFsckClean(img);
        try (FileSystemReader r = FileSystemReader.open(img)) {
            Map<String, String> tree = readPathTree(r);
            assertEquals("100604 1 2000:300 0", tree.get("/a"));
            assertEquals("40750 3 7:8 -", tree.get("/d"));
            assertEquals("100644 1 0:0 0", tree.get("/d/y"));
            assertEquals("40700 2 0:0 -", tree.get("/d/sub"));
            assertEquals("120777 1 5:6 1", tree.get("/s"));
            assertEquals(5, tree.size(), tree.toString());
            assertEquals(aIno, r.lookup(r.root(), "a").orElseThrow().addr());
            assertEquals(dIno, r.lookup(r.root(), "d").orElseThrow().addr());
        }
    }

    /** A directory growing past one block turns into an exhash directory; removing every entry keeps it consistent. */
    @Test
    void largeDirectoryBecomesExhashAndStaysConsistent() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long big = vfs.mkdir(vfs.rootIno(), n("big"), 0755, 0, 0).ino();
            for (int i = 0; i < 400; i++) {
                vfs.mknod(big, n("file-with-a-longish-name-" + i), 0644, 0, 0, 0);
            }
            assertEquals(402, list(vfs, big).size());
            for (int i = 0; i < 400; i += 2) {
                vfs.unlink(big, n("file-with-a-longish-name-" + i));
            }
            assertEquals(202, list(vfs, big).size());
            assertErrno(FsException.ENOTEMPTY, () -> vfs.rmdir(vfs.rootIno(), n("big")));
            for (int i = 1; i < 400; i += 2) {
                vfs.unlink(big, n("file-with-a-longish-name-" + i));
            }
            assertEquals(List.of(".", ".."), list(vfs, big));
            assertTrue(Dinode.decode(vfs.fileSystem().cache.read(big, org.gfs2j.fs.glock.GlockName.inode(big)), big)
                    .isExhashDir());
            vfs.rmdir(vfs.rootIno(), n("big")); // leaves, hash table and dinode freed (InodeDeallocator)
        }
        Gfs2Tools.assertFsckClean(img);
        try (FileSystemReader r = FileSystemReader.open(img)) {
            assertTrue(r.lookup(r.root(), "big").isEmpty());
        }
    }

    /**
     * Seeded random creates, mkdirs, unlinks, rmdirs, chmods, writes, truncations and renames against a map
     * of path → mode and path → bytes; the mounted VFS, a remount and the offline read path (MD5)
     * all see the model, and fsck is clean.
     */
    @Test
    void randomOperationsMatchAModel() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        long seed = Long.getLong("gfs2j.rw.seed", System.nanoTime());
        System.out.println("ReadWriteGfs2VfsTest.randomOperationsMatchAModel seed=" + seed
                + " (rerun with -Dgfs2j.rw.seed=" + seed + ")");
        Random rnd = new Random(seed);
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        TreeMap<String, Integer> model = new TreeMap<>(); // path → mode (with type)
        Map<String, byte[]> contents = new TreeMap<>();   // regular file path → bytes
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            for (int i = 0; i < 300; i++) {
                List<String> dirs = new ArrayList<>(List.of(""));
                model.forEach((p, m) -> {
                    if ((m & Dinode.S_IFMT) == Dinode.S_IFDIR) {
                        dirs.add(p);
                    }
                });
                String parent = dirs.get(rnd.nextInt(dirs.size()));
                String name = "n" + rnd.nextInt(12);
                String path = parent + "/" + name;
                long pIno = resolve(vfs, parent);
                int op = rnd.nextInt(15);
                String context = "seed " + seed + " op " + i + " on " + path;
                if (op < 4) {
                    int mode = 0400 | rnd.nextInt(0400);
                    if (model.containsKey(path)) {
                        assertErrno(FsException.EEXIST, () -> vfs.mknod(pIno, n(name), Dinode.S_IFREG | mode, 0, 0, 0));
                    } else {
                        assertEquals(Dinode.S_IFREG | mode, vfs.mknod(pIno, n(name), Dinode.S_IFREG | mode, 0, 0, 0).mode(), context);
                        model.put(path, Dinode.S_IFREG | mode);
                        contents.put(path, new byte[0]);
                    }
                } else if (op < 6) {
                    int mode = 0700 | rnd.nextInt(0100);
                    if (model.containsKey(path)) {
                        assertErrno(FsException.EEXIST, () -> vfs.mkdir(pIno, n(name), mode, 0, 0));
                    } else {
                        vfs.mkdir(pIno, n(name), mode, 0, 0);
                        model.put(path, Dinode.S_IFDIR | mode);
                    }
                } else if (op < 8) {
                    Integer m = model.get(path);
                    if (m == null) {
                        assertErrno(FsException.ENOENT, () -> vfs.unlink(pIno, n(name)));
                    } else if ((m & Dinode.S_IFMT) == Dinode.S_IFDIR) {
                        assertErrno(FsException.EISDIR, () -> vfs.unlink(pIno, n(name)));
                    } else {
                        vfs.unlink(pIno, n(name));
                        model.remove(path);
                        contents.remove(path);
                    }
                } else if (op < 9) {
                    Integer m = model.get(path);
                    if (m == null) {
                        assertErrno(FsException.ENOENT, () -> vfs.rmdir(pIno, n(name)));
                    } else if ((m & Dinode.S_IFMT) != Dinode.S_IFDIR) {
                        assertErrno(FsException.ENOTDIR, () -> vfs.rmdir(pIno, n(name)));
                    } else if (!model.subMap(path + "/", path + "0").isEmpty()) {
                        assertErrno(FsException.ENOTEMPTY, () -> vfs.rmdir(pIno, n(name)));
                    } else {
                        vfs.rmdir(pIno, n(name));
                        model.remove(path);
                    }
                } else if (op >= 13) {
                    String parent2 = dirs.get(rnd.nextInt(dirs.size()));
                    String name2 = "n" + rnd.nextInt(12);
                    String dst = parent2 + "/" + name2;
                    long p2 = resolve(vfs, parent2);
                    Integer sm = model.get(path);
                    Integer dm = model.get(dst);
                    boolean srcDir = sm != null && (sm & Dinode.S_IFMT) == Dinode.S_IFDIR;
                    Integer expect = null;
                    if (sm == null) {
                        expect = FsException.ENOENT;
                    } else if (dst.equals(path)) {
                        expect = 0;
                    } else if (srcDir && !parent.equals(parent2) && (parent2 + "/").startsWith(path + "/")) {
                        expect = FsException.EINVAL; // ancestry before type checks, as Linux
                    } else if (dm != null && (dm & Dinode.S_IFMT) == Dinode.S_IFDIR && !parent.equals(parent2)
                            && (parent + "/").startsWith(dst + "/")) {
                        expect = FsException.ENOTEMPTY;
                    } else if (dm != null && srcDir && (dm & Dinode.S_IFMT) != Dinode.S_IFDIR) {
                        expect = FsException.ENOTDIR;
                    } else if (dm != null && !srcDir && (dm & Dinode.S_IFMT) == Dinode.S_IFDIR) {
                        expect = FsException.EISDIR;
                    } else if (dm != null && !model.subMap(dst + "/", dst + "0").isEmpty()) {
                        expect = FsException.ENOTEMPTY;
                    } else if (srcDir && !parent.equals(parent2) && (parent2 + "/").startsWith(path + "/")) {
                        expect = FsException.EINVAL;
                    }
                    if (expect != null && expect != 0) {
                        int want = expect;
                        assertErrno(want, () -> vfs.rename(pIno, n(name), p2, n(name2), 0));
                    } else if (expect == null) {
                        vfs.rename(pIno, n(name), p2, n(name2), 0);
                        model.remove(dst);
                        contents.remove(dst);
                        for (String k : new ArrayList<>(model.keySet())) {
                            if (k.equals(path) || k.startsWith(path + "/")) {
                                String nk = dst + k.substring(path.length());
                                model.put(nk, model.remove(k));
                                if (contents.containsKey(k)) {
                                    contents.put(nk, contents.remove(k));
                                }
                            }
                        }
                    }
                } else if (op >= 10) {
                    byte[] old = contents.get(path);
                    if (old != null) {
                        long ino = vfs.lookup(pIno, n(name)).ino();
                        if (op == 12) {
                            int size = rnd.nextInt(80_000);
                            vfs.setattr(ino, null, null, null, (long) size, null, null);
                            contents.put(path, java.util.Arrays.copyOf(old, size));
                        } else {
                            int off = rnd.nextInt(10) == 0 ? 2_000_000 + rnd.nextInt(10_000) : rnd.nextInt(70_000);
                            byte[] d = new byte[rnd.nextInt(20_000)];
                            rnd.nextBytes(d);
                            long h = vfs.open(ino, 1);
                            assertEquals(d.length, vfs.write(h, off, ByteBuffer.wrap(d)), context);
                            vfs.release(h);
                            byte[] now = java.util.Arrays.copyOf(old, Math.max(old.length, off + d.length));
                            System.arraycopy(d, 0, now, off, d.length);
                            contents.put(path, now);
                        }
                    }
                } else {
                    Integer m = model.get(path);
                    if (m != null) {
                        int mode = rnd.nextInt(01000);
                        long ino = vfs.lookup(pIno, n(name)).ino();
                        assertEquals((m & Dinode.S_IFMT) | mode, vfs.setattr(ino, mode, null, null, null, null, null).mode(), context);
                        model.put(path, (m & Dinode.S_IFMT) | mode);
                    }
                }
            }
            assertEquals(expected(model), vfsTree(vfs), "seed " + seed);
            for (var e : contents.entrySet()) {
                long h = vfs.open(resolve(vfs, e.getKey()), 0);
                ByteBuffer got = ByteBuffer.allocate(e.getValue().length + 1);
                int total = 0;
                for (int r; (r = vfs.read(h, total, got.remaining(), got)) > 0; ) {
                    total += r;
                }
                vfs.release(h);
                assertEquals(e.getValue().length, total, e.getKey() + " seed " + seed);
                assertTrue(java.util.Arrays.equals(e.getValue(), java.util.Arrays.copyOf(got.array(), total)),
                        e.getKey() + " seed " + seed);
            }
        }
        Gfs2Tools.assertFsckClean(img);
        try (FileSystemReader r = FileSystemReader.open(img)) {
            Map<String, String> tree = readPathTree(r);
            Map<String, String> modes = new TreeMap<>();
            tree.forEach((p, v) -> modes.put(p, v.substring(0, v.indexOf(' '))));
            Map<String, String> want = new TreeMap<>();
            model.forEach((p, m) -> want.put(p, Integer.toOctalString(m)));
            assertEquals(want, modes, "seed " + seed);
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("MD5");
            for (var e : contents.entrySet()) {
                Inode i = r.resolve(e.getKey());
                assertEquals(e.getValue().length, i.dinode().size(), e.getKey());
                assertEquals(java.util.HexFormat.of().formatHex(md.digest(e.getValue())),
                        java.util.HexFormat.of().formatHex(md.digest(r.file(i).readAll(Integer.MAX_VALUE))),
                        e.getKey() + " seed " + seed);
            }
        }
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            assertEquals(expected(model), vfsTree(vfs), "remount, seed " + seed);
        }
        Gfs2Tools.assertFsckClean(img);
    }

    private static Map<String, Integer> expected(Map<String, Integer> model) {
        return new TreeMap<>(model);
    }

    private static long resolve(ReadWriteGfs2Vfs vfs, String path) throws FsException {
        long ino = vfs.rootIno();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                ino = vfs.lookup(ino, n(part)).ino();
            }
        }
        return ino;
    }

    private static List<String> list(ReadWriteGfs2Vfs vfs, long dirIno) throws FsException {
        List<String> out = new ArrayList<>();
        long h = vfs.opendir(dirIno);
        try {
            vfs.readdir(h, 0, false, e -> {
                out.add(new String(e.name(), UTF_8));
                return true;
            });
        } finally {
            vfs.releasedir(h);
        }
        out.sort(String::compareTo);
        return out;
    }

    /** path → mode of everything below root, through the VFS (nlink of directories checked on the way). */
    private static Map<String, Integer> vfsTree(ReadWriteGfs2Vfs vfs) throws FsException {
        Map<String, Integer> out = new TreeMap<>();
        walk(vfs, vfs.rootIno(), "", out);
        return out;
    }

    private static void walk(ReadWriteGfs2Vfs vfs, long ino, String path, Map<String, Integer> out) throws FsException {
        List<DirEntry> entries = new ArrayList<>();
        long h = vfs.opendir(ino);
        try {
            vfs.readdir(h, 0, false, entries::add);
        } finally {
            vfs.releasedir(h);
        }
        int subdirs = 0;
        for (DirEntry e : entries) {
            if (e.isDotOrDotDot()) {
                continue;
            }
            String p = path + "/" + new String(e.name(), UTF_8);
            InodeAttributes a = vfs.getattr(e.ino());
            out.put(p, a.mode());
            if ((a.mode() & Dinode.S_IFMT) == Dinode.S_IFDIR) {
                subdirs++;
                walk(vfs, e.ino(), p, out);
            } else {
                assertEquals(1, a.nlink(), p);
            }
        }
        assertEquals(2 + subdirs, vfs.getattr(ino).nlink(), "nlink of " + (path.isEmpty() ? "/" : path));
    }

    /** path → "octal-mode nlink uid:gid size-or-dash" through the offline read path. */
    private static Map<String, String> readPathTree(FileSystemReader r) throws Exception {
        Map<String, String> out = new TreeMap<>();
        readWalk(r, r.root(), "", out);
        return out;
    }

    private static void readWalk(FileSystemReader r, Inode dirInode, String path, Map<String, String> out) throws Exception {
        for (DirectoryReader.Entry e : r.directory(dirInode).list()) {
            if (e.isDot()) {
                continue;
            }
            Inode i = r.inode(dirInode, e);
            Dinode d = i.dinode();
            String p = path + "/" + e.name();
            out.put(p, Integer.toOctalString(d.mode()) + " " + d.nlink() + " " + d.uid() + ":" + d.gid() + " "
                    + (d.isDirectory() ? "-" : Long.toString(d.size())));
            if (d.isDirectory()) {
                readWalk(r, i, p, out);
            }
        }
    }
}
