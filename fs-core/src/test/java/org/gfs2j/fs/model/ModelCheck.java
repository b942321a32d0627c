package org.gfs2j.fs.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.gfs2j.fs.meta.DirectoryReader;
import org.gfs2j.fs.meta.FileReader;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.vfs.DirEntry;
import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.fs.vfs.Gfs2Vfs;
import org.gfs2j.fs.vfs.InodeAttributes;

/**
 * Whole-tree comparisons of a {@link PosixModel} with a file system: through a mounted
 * {@link Gfs2Vfs} (readdir, lookup of "." and "..", getattr, read, readlink) and through the
 * offline read path {@link FileSystemReader} (what {@code gfs2j ls -R} and {@code cat} use):
 * names, inode numbers, types, modes, link counts, owners, sizes, exact times where the model
 * knows them, symlink targets, and every byte of every file (mapped blocks outside the written
 * pages must read as zeros).
 */
final class ModelCheck {
    private ModelCheck() {
    }

    static void attrs(String what, PosixModel m, PosixModel.Node n, InodeAttributes a) {
        String ctx = what + " (inode " + n.ino + ")";
        assertEquals(n.ino, a.ino(), ctx + " ino");
        assertEquals(Integer.toOctalString(n.mode()), Integer.toOctalString(a.mode()), ctx + " mode");
        assertEquals(m.nlink(n), a.nlink(), ctx + " nlink");
        assertEquals(n.uid, a.uid(), ctx + " uid");
        assertEquals(n.gid, a.gid(), ctx + " gid");
        if (!n.isDir()) {
            assertEquals(n.size(), a.size(), ctx + " size");
        }
        if (n.atimeNs != null) {
            assertEquals(n.atimeNs.longValue(), a.atimeSec() * 1_000_000_000L + a.atimeNsec(), ctx + " atime");
        }
        if (n.mtimeNs != null) {
            assertEquals(n.mtimeNs.longValue(), a.mtimeSec() * 1_000_000_000L + a.mtimeNsec(), ctx + " mtime");
        }
    }

    static void dinode(String what, PosixModel m, PosixModel.Node n, Dinode d) {
        String ctx = what + " (inode " + n.ino + ")";
        assertEquals(n.ino, d.num().addr(), ctx + " ino");
        assertEquals(Integer.toOctalString(n.mode()), Integer.toOctalString(d.mode()), ctx + " mode");
        assertEquals(m.nlink(n), d.nlink(), ctx + " nlink");
        assertEquals(n.uid, d.uid(), ctx + " uid");
        assertEquals(n.gid, d.gid(), ctx + " gid");
        if (!n.isDir()) {
            assertEquals(n.size(), d.size(), ctx + " size");
        }
        if (n.atimeNs != null) {
            assertEquals(n.atimeNs.longValue(), d.atime() * 1_000_000_000L + d.atimeNsec(), ctx + " atime");
        }
        if (n.mtimeNs != null) {
            assertEquals(n.mtimeNs.longValue(), d.mtime() * 1_000_000_000L + d.mtimeNsec(), ctx + " mtime");
        }
    }

    // ---------------------------------------------------------------- through the mounted VFS

    static void viaVfs(Gfs2Vfs vfs, PosixModel m) throws FsException {
        int[] seen = {0};
        vfsDir(vfs, m, m.root, "", seen);
        assertEquals(m.size(), seen[0] + countHardLinkExtras(m), "inodes reachable through the VFS");
    }

    private static int countHardLinkExtras(PosixModel m) {
        int extra = 0;
        for (PosixModel.Node n : m.nodes()) {
            if (!n.isDir()) {
                extra -= n.links - 1; // seen once per name
            }
        }
        return extra;
    }

    private static void vfsDir(Gfs2Vfs vfs, PosixModel m, long ino, String path, int[] seen) throws FsException {
        PosixModel.Node dir = m.node(ino);
        seen[0]++;
        attrs(path.isEmpty() ? "/" : path, m, dir, vfs.getattr(ino));
        List<DirEntry> entries = new ArrayList<>();
        long h = vfs.opendir(ino);
        try {
            vfs.readdir(h, 0, true, entries::add);
        } finally {
            vfs.releasedir(h);
        }
        Map<String, Long> got = new TreeMap<>();
        for (DirEntry e : entries) {
            String name = new String(e.name(), UTF_8);
            if (got.put(name, e.ino()) != null) {
                throw new AssertionError(path + ": readdir returned " + name + " twice");
            }
        }
        Map<String, Long> want = new TreeMap<>(dir.entries);
        want.put(".", ino);
        want.put("..", dir.parent);
        assertEquals(want, got, "readdir of " + (path.isEmpty() ? "/" : path));
        assertEquals(dir.parent, vfs.lookup(ino, "..".getBytes(UTF_8)).ino(), path + "/..");
        for (var e : dir.entries.entrySet()) {
            String p = path + "/" + e.getKey();
            PosixModel.Node n = m.node(e.getValue());
            assertEquals(n.ino, vfs.lookup(ino, e.getKey().getBytes(UTF_8)).ino(), "lookup " + p);
            if (n.isDir()) {
                vfsDir(vfs, m, n.ino, p, seen);
                continue;
            }
            seen[0]++;
            attrs(p, m, n, vfs.getattr(n.ino));
            if (n.type == PosixModel.S_IFLNK) {
                assertArrayEquals(n.target, vfs.readlink(n.ino), "readlink " + p);
            } else if (n.type == PosixModel.S_IFREG) {
                long fh = vfs.open(n.ino, 0);
                try {
                    for (var page : n.data.pages().entrySet()) {
                        long off = page.getKey() * SparseBytes.PAGE;
                        assertArrayEquals(n.data.read(off, SparseBytes.PAGE), vfsRead(vfs, fh, off, SparseBytes.PAGE),
                                "content of " + p + " at " + off);
                    }
                    if (n.data.size() > 0) {
                        assertArrayEquals(n.data.read(n.data.size() - 1, 10), vfsRead(vfs, fh, n.data.size() - 1, 10),
                                "last byte of " + p);
                    }
                } finally {
                    vfs.release(fh);
                }
            }
        }
    }

    static byte[] vfsRead(Gfs2Vfs vfs, long fh, long off, int len) throws FsException {
        ByteBuffer dst = ByteBuffer.allocate(len);
        while (dst.hasRemaining()) {
            int n = vfs.read(fh, off + dst.position(), dst.remaining(), dst);
            if (n == 0) {
                break;
            }
        }
        byte[] out = new byte[dst.position()];
        dst.flip().get(out);
        return out;
    }

    // ---------------------------------------------------------------- through the offline read path

    static void viaReader(FileSystemReader r, PosixModel m) throws IOException {
        readerDir(r, m, r.inode(m.root), "");
    }

    private static void readerDir(FileSystemReader r, PosixModel m, Inode dirInode, String path) throws IOException {
        PosixModel.Node dir = m.node(dirInode.addr());
        dinode(path.isEmpty() ? "/" : path, m, dir, dirInode.dinode());
        Map<String, Long> got = new TreeMap<>();
        for (DirectoryReader.Entry e : r.directory(dirInode).list()) {
            if (got.put(e.name(), e.inum().addr()) != null) {
                throw new AssertionError(path + ": the directory holds " + e.name() + " twice");
            }
        }
        Map<String, Long> want = new TreeMap<>(dir.entries);
        want.put(".", dir.ino);
        want.put("..", dir.parent);
        assertEquals(want, got, "directory " + (path.isEmpty() ? "/" : path) + " on disk");
        for (DirectoryReader.Entry e : r.directory(dirInode).list()) {
            if (e.isDot()) {
                continue;
            }
            String p = path + "/" + e.name();
            PosixModel.Node n = m.node(e.inum().addr());
            Inode i = r.inode(dirInode, e);
            assertEquals(n.type, e.type() == 0 ? n.type : typeOfDt(e.type()), p + " dirent type");
            if (n.isDir()) {
                readerDir(r, m, i, p);
                continue;
            }
            dinode(p, m, n, i.dinode());
            if (n.type == PosixModel.S_IFLNK) {
                assertArrayEquals(n.target, r.symlinkTarget(i), "symlink " + p);
            } else if (n.type == PosixModel.S_IFREG) {
                fileContent(r, i, n, p);
            }
        }
    }

    private static int typeOfDt(int dt) {
        return switch (dt) {
            case 4 -> PosixModel.S_IFDIR;
            case 8 -> PosixModel.S_IFREG;
            case 10 -> PosixModel.S_IFLNK;
            case 1 -> PosixModel.S_IFIFO;
            default -> -dt;
        };
    }

    private static void fileContent(FileSystemReader r, Inode i, PosixModel.Node n, String p) throws IOException {
        FileReader f = r.file(i);
        assertEquals(n.data.size(), f.size(), p + " size on disk");
        for (var page : n.data.pages().entrySet()) {
            long off = page.getKey() * SparseBytes.PAGE;
            assertArrayEquals(n.data.read(off, SparseBytes.PAGE), f.read(off, (int) Math.min(SparseBytes.PAGE,
                    Math.max(0, f.size() - off))), p + " at " + off + " on disk");
        }
        if (!i.dinode().isStuffed()) {
            int bsize = r.geometry().bsize();
            r.fileMap(i).forEachExtent(e -> {
                for (long b = 0; b < e.length(); b++) {
                    long off = (e.logical() + b) * bsize;
                    if (off < n.data.size() && !n.data.pages().containsKey(off / SparseBytes.PAGE)) {
                        byte[] got = f.read(off, (int) Math.min(bsize, n.data.size() - off));
                        for (byte x : got) {
                            if (x != 0) {
                                throw new AssertionError(p + ": block at " + off + " should be a hole (zeros)");
                            }
                        }
                    }
                }
            });
        }
    }
}
