package org.gfs2j.fuse.memfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.gfs2j.fs.ondisk.PosixAcl;
import org.gfs2j.fuse.fs.Context;
import org.gfs2j.fuse.fs.ErrnoException;
import org.gfs2j.fuse.fs.SetAttr;
import org.gfs2j.fuse.protocol.Errno;
import org.gfs2j.fuse.protocol.Fuse;
import org.junit.jupiter.api.Test;

class MemFileSystemTest {
    private final MemFileSystem fs = new MemFileSystem();
    private static final long ROOT = Fuse.ROOT_ID;

    private static Context caller(int uid, int gid) {
        return new Context() {
            public int uid() {
                return uid;
            }

            public int gid() {
                return gid;
            }

            public int pid() {
                return 1;
            }

            public long unique() {
                return 0;
            }

            public boolean isInterrupted() {
                return false;
            }

            public void onInterrupt(Runnable a) {
            }
        };
    }

    private final Context root = caller(0, 0);

    private int errno(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(ErrnoException.class, e).errno();
    }

    private List<String> list(long dir) throws ErrnoException {
        List<String> names = new ArrayList<>();
        fs.readdir(root, dir, 0, 0, (n, ino, mode, off) -> names.add(n));
        return names;
    }

    @Test
    void renameRules() throws Exception {
        long a = fs.mkdir(root, ROOT, "a", 0755, 0).nodeid();
        long b = fs.mkdir(root, a, "b", 0755, 0).nodeid();
        fs.mknod(root, ROOT, "f", Fuse.S_IFREG | 0644, 0, 0);
        assertEquals(Errno.EINVAL, errno(() -> fs.rename(root, ROOT, "a", b, "x", 0)), "into own subtree");
        assertEquals(Errno.EISDIR, errno(() -> fs.rename(root, ROOT, "f", ROOT, "a", 0)));
        assertEquals(Errno.ENOTDIR, errno(() -> fs.rename(root, ROOT, "a", ROOT, "f", 0)));
        assertEquals(Errno.EEXIST, errno(() -> fs.rename(root, ROOT, "f", ROOT, "a", Fuse.RENAME_NOREPLACE)));
        assertEquals(Errno.ENOENT, errno(() -> fs.rename(root, ROOT, "f", ROOT, "zz", Fuse.RENAME_EXCHANGE)));
        assertEquals(Errno.EINVAL, errno(() -> fs.rename(root, ROOT, "f", ROOT, "g", Fuse.RENAME_WHITEOUT)));
        fs.mkdir(root, ROOT, "c", 0755, 0);
        fs.mknod(root, fs.resolve("/c"), "x", Fuse.S_IFREG, 0, 0);
        assertEquals(Errno.ENOTEMPTY, errno(() -> fs.rename(root, a, "b", ROOT, "c", 0)));
        // exchange a directory between parents: link counts follow
        fs.rename(root, ROOT, "f", a, "b", Fuse.RENAME_EXCHANGE);
        assertEquals(2 + 3, fs.getattr(root, ROOT, -1).nlink(), "root now holds a, b and c");
        assertEquals(2, fs.getattr(root, a, -1).nlink(), "a lost subdirectory b");
        assertEquals(ROOT, fs.lookup(root, b, "..").nodeid());
    }

    @Test
    void readdirCookiesAreStableAcrossRemovals() throws Exception {
        for (int i = 0; i < 5; i++) {
            fs.mknod(root, ROOT, "n" + i, Fuse.S_IFREG, 0, 0);
        }
        List<Long> cookies = new ArrayList<>();
        fs.readdir(root, ROOT, 0, 0, (n, ino, mode, off) -> cookies.add(off));
        fs.unlink(root, ROOT, "n1");
        fs.unlink(root, ROOT, "n2");
        List<String> rest = new ArrayList<>();
        fs.readdir(root, ROOT, 0, cookies.get(3), (n, ino, mode, off) -> rest.add(n));
        assertEquals(List.of("n3", "n4"), rest, "resume after n1's cookie");
        assertEquals(List.of(".", "..", "n0", "n3", "n4"), list(ROOT));
    }

    @Test
    void sparseFilesAndSeek() throws Exception {
        long f = fs.mknod(root, ROOT, "s", Fuse.S_IFREG | 0644, 0, 0).nodeid();
        fs.write(root, f, 0, 10 * SparseData.CHUNK + 3, ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
        assertEquals(10 * SparseData.CHUNK + 6, fs.getattr(root, f, -1).size());
        assertEquals(10L * SparseData.CHUNK, fs.lseek(root, f, 0, 0, Fuse.SEEK_DATA));
        assertEquals(0, fs.lseek(root, f, 0, 0, Fuse.SEEK_HOLE));
        assertEquals(Errno.ENXIO, errno(() -> fs.lseek(root, f, 0, 1L << 40, Fuse.SEEK_DATA)));
        assertEquals(SparseData.CHUNK * 512L / 512, fs.getattr(root, f, -1).blocks() * 512, "one chunk allocated");
        ByteBuffer dst = ByteBuffer.allocate(8);
        assertEquals(6, fs.read(root, f, 0, 10L * SparseData.CHUNK, 8, dst));
        assertArrayEquals(new byte[] {0, 0, 0, 1, 2, 3, 0, 0}, dst.array());
        fs.setattr(root, f, new SetAttr(Fuse.SetattrValid.SIZE, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        fs.setattr(root, f, new SetAttr(Fuse.SetattrValid.SIZE, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        dst.clear();
        fs.read(root, f, 0, 0, 8, dst);
        assertArrayEquals(new byte[8], dst.array(), "extension after truncation reads zeros");
        // a huge sparse file and a punch across it finish at once
        fs.write(root, f, 0, 1L << 50, ByteBuffer.wrap(new byte[] {9}), 0);
        fs.fallocate(root, f, 0, 0, 1L << 50, Fuse.FALLOC_PUNCH_HOLE | Fuse.FALLOC_KEEP_SIZE);
        assertEquals(Errno.ENOSPC, errno(() -> fs.fallocate(root, f, 0, 0, 1L << 40, 0)));
    }

    @Test
    void aclAndModeStayInSync() throws Exception {
        long f = fs.mknod(root, ROOT, "f", Fuse.S_IFREG | 0600, 0, 0).nodeid();
        byte[] acl = acl(new int[][] {{PosixAcl.USER_OBJ, 6, -1}, {PosixAcl.USER, 4, 1000},
                {PosixAcl.GROUP_OBJ, 0, -1}, {PosixAcl.MASK, 4, -1}, {PosixAcl.OTHER, 0, -1}});
        fs.setxattr(root, f, PosixAcl.ACCESS_XATTR, acl, 0, 0);
        assertEquals(Fuse.S_IFREG | 0640, fs.getattr(root, f, -1).mode(), "group bits = mask");
        fs.setattr(root, f, new SetAttr(Fuse.SetattrValid.MODE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0700, 0, 0));
        PosixAcl after = PosixAcl.decode(fs.getxattr(root, f, PosixAcl.ACCESS_XATTR), -1);
        assertEquals(0, after.entries().stream().filter(e -> e.tag() == PosixAcl.MASK).findFirst().get().perm());
        // an ACL equivalent to the mode is not stored
        fs.setxattr(root, f, PosixAcl.ACCESS_XATTR, acl(new int[][] {{PosixAcl.USER_OBJ, 7, -1},
                {PosixAcl.GROUP_OBJ, 5, -1}, {PosixAcl.OTHER, 1, -1}}), 0, 0);
        assertEquals(Fuse.S_IFREG | 0751, fs.getattr(root, f, -1).mode());
        assertEquals(Errno.ENODATA, errno(() -> fs.getxattr(root, f, PosixAcl.ACCESS_XATTR)));
        assertEquals(Errno.EINVAL, errno(() -> fs.setxattr(root, f, PosixAcl.ACCESS_XATTR, new byte[] {2, 0, 0, 0, 1}, 0, 0)));
    }

    @Test
    void defaultAclIsInheritedAndUmaskIgnored() throws Exception {
        long d = fs.mkdir(root, ROOT, "d", 0755, 0).nodeid();
        fs.setxattr(root, d, PosixAcl.DEFAULT_XATTR, acl(new int[][] {{PosixAcl.USER_OBJ, 7, -1},
                {PosixAcl.USER, 6, 1000}, {PosixAcl.GROUP_OBJ, 5, -1}, {PosixAcl.MASK, 7, -1},
                {PosixAcl.OTHER, 0, -1}}), 0, 0);
        long f = fs.mknod(root, d, "f", Fuse.S_IFREG | 0666, 0, 077).nodeid();
        assertEquals(Fuse.S_IFREG | 0660, fs.getattr(root, f, -1).mode(), "mask 6 (rw of 0666), umask not applied");
        assertTrue(PosixAcl.decode(fs.getxattr(root, f, PosixAcl.ACCESS_XATTR), -1).entries().size() == 5);
        long sub = fs.mkdir(root, d, "sub", 0777, 077).nodeid();
        fs.getxattr(root, sub, PosixAcl.DEFAULT_XATTR);
        // without a default ACL the umask applies
        long g = fs.mknod(root, ROOT, "g", Fuse.S_IFREG | 0666, 0, 022).nodeid();
        assertEquals(Fuse.S_IFREG | 0644, fs.getattr(root, g, -1).mode());
    }

    @Test
    void setgidDirectoryAndKillSuid() throws Exception {
        long d = fs.mkdir(root, ROOT, "g", 02775, 0).nodeid();
        fs.setattr(root, d, new SetAttr(Fuse.SetattrValid.GID, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 50));
        long f = fs.mknod(caller(1000, 1000), d, "f", Fuse.S_IFREG | 06755, 0, 0).nodeid();
        assertEquals(50, fs.getattr(root, f, -1).gid());
        long sub = fs.mkdir(caller(1000, 1000), d, "s", 0755, 0).nodeid();
        assertEquals(Fuse.S_ISGID, fs.getattr(root, sub, -1).mode() & Fuse.S_ISGID);
        fs.write(caller(1000, 1000), f, 0, 0, ByteBuffer.wrap(new byte[1]), Fuse.WRITE_KILL_SUIDGID);
        assertEquals(0755, fs.getattr(root, f, -1).mode() & 07777);
    }

    @Test
    void unlinkedNodeLivesUntilReleasedAndForgotten() throws Exception {
        long freeBefore = fs.statfs(root, ROOT).bfree();
        long f = fs.create(root, ROOT, "u", Fuse.S_IFREG | 0644, 0, Fuse.O_RDWR).entry().nodeid();
        fs.write(root, f, 1, 0, ByteBuffer.wrap(new byte[100]), 0);
        assertEquals(freeBefore - SparseData.CHUNK / 4096, fs.statfs(root, ROOT).bfree());
        long fh = fs.open(root, f, Fuse.O_RDONLY, 0).fh();
        fs.unlink(root, ROOT, "u");
        assertTrue(fs.exists(f));
        fs.forget(f);
        assertTrue(fs.exists(f), "still open");
        fs.release(root, f, fh, 0, 0, 0);
        assertTrue(fs.exists(f), "create's handle still open");
        fs.release(root, f, 1, 0, 0, 0);
        assertTrue(!fs.exists(f));
        assertEquals(freeBefore, fs.statfs(root, ROOT).bfree(), "space returned when the inode was freed");
        assertEquals(Errno.ENOENT, errno(() -> fs.getattr(root, f, -1)));
    }

    private static byte[] acl(int[][] entries) {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * entries.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(2);
        for (int[] e : entries) {
            b.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]);
        }
        return b.array();
    }
}
