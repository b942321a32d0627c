package org.gfs2j.fuse.gfs2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.gfs2j.fs.vfs.ReadOnlyGfs2Vfs;
import org.gfs2j.fuse.fs.Context;
import org.gfs2j.fuse.fs.Entry;
import org.gfs2j.fuse.fs.ErrnoException;
import org.gfs2j.fuse.protocol.Errno;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter without a kernel: node ids, generations, references, errno mapping. */
class Gfs2FuseFileSystemTest {
    @TempDir
    static Path dir;
    static ReadOnlyGfs2Vfs vfs;
    static Gfs2FuseFileSystem fs;

    static final Context CTX = new Context() {
        public int uid() {
            return 0;
        }

        public int gid() {
            return 0;
        }

        public int pid() {
            return 1;
        }

        public long unique() {
            return 1;
        }

        public boolean isInterrupted() {
            return false;
        }

        public void onInterrupt(Runnable action) {
        }
    };

    @BeforeAll
    static void open() throws Exception {
        vfs = ReadOnlyGfs2Vfs.open(ImageFiles.unpack("kernel-4k", dir));
        fs = new Gfs2FuseFileSystem(vfs);
    }

    @AfterAll
    static void close() throws Exception {
        vfs.close();
    }

    @Test
    void rootIsNodeOneAndOtherNodesAreBlockAddresses() throws Exception {
        assertEquals(vfs.rootIno(), fs.getattr(CTX, 1, -1).ino());
        Entry tree = fs.lookup(CTX, 1, "tree");
        assertEquals(vfs.lookup(vfs.rootIno(), "tree".getBytes(StandardCharsets.UTF_8)).ino(), tree.nodeid());
        assertEquals(tree.nodeid(), tree.attr().ino());
        assertEquals(vfs.getattr(tree.nodeid()).generation(), tree.generation());
        assertTrue(tree.generation() > 0);
        // ".." of /tree is the root: node 1 again, never its block address.
        assertEquals(1, fs.lookup(CTX, tree.nodeid(), "..").nodeid());
        assertEquals(0, fs.lookup(CTX, tree.nodeid(), "missing").nodeid());
        assertEquals(vfs.rootIno(), fs.inoOf(1));
        assertEquals(1, fs.nodeOf(vfs.rootIno()));
        fs.forget(tree.nodeid());
    }

    @Test
    void readdirplusCountsReferencesAndForgetReturnsThem() throws Exception {
        Gfs2FuseFileSystem fs = new Gfs2FuseFileSystem(vfs);  // its own reference counts
        long tree = fs.lookup(CTX, 1, "tree").nodeid();
        long a = fs.lookup(CTX, tree, "a").nodeid();
        long h = fs.opendir(CTX, a, 0).fh();
        int before = fs.referencedNodes();
        List<String> names = new ArrayList<>();
        List<Long> nodes = new ArrayList<>();
        fs.readdirplus(CTX, a, h, 0, (name, entry, next) -> {
            names.add(name + ":" + (entry.nodeid() == entry.attr().ino() || entry.nodeid() == 1));
            if (!name.startsWith(".")) {
                nodes.add(entry.nodeid());
            }
            return true;
        });
        fs.releasedir(CTX, a, h, 0);
        names.sort(null);
        assertEquals(List.of("..:true", ".:true", "4096:true", "b:true", "hardlink:true"), names);
        assertEquals(before + 3, fs.referencedNodes());
        for (long n : nodes) {
            fs.forget(n);
        }
        assertEquals(before, fs.referencedNodes());
        fs.forget(a);
        fs.forget(tree);
    }

    @Test
    void xattrNamesAreNulTerminatedAndErrorsKeepTheirErrno() throws Exception {
        long tree = fs.lookup(CTX, 1, "tree").nodeid();
        long hello = fs.lookup(CTX, tree, "hello.txt").nodeid();
        assertArrayEquals("user.color\0".getBytes(StandardCharsets.ISO_8859_1), fs.listxattr(CTX, hello));
        assertArrayEquals("blue".getBytes(StandardCharsets.ISO_8859_1), fs.getxattr(CTX, hello, "user.color"));
        assertEquals(Errno.ENODATA, assertThrows(ErrnoException.class, () -> fs.getxattr(CTX, hello, "user.none")).errno());
        assertEquals(Errno.EROFS, assertThrows(ErrnoException.class, () -> fs.mkdir(CTX, tree, "d", 0755, 022)).errno());
        assertEquals(Errno.EROFS, assertThrows(ErrnoException.class, () -> fs.create(CTX, tree, "f", 0100644, 022, 0101)).errno());
        assertEquals(Errno.EROFS, assertThrows(ErrnoException.class, () -> fs.open(CTX, hello, 1, 0)).errno());
        assertEquals(Errno.ESTALE, assertThrows(ErrnoException.class, () -> fs.getattr(CTX, 5, -1)).errno());
        assertEquals(65512, fs.statfs(CTX, 1).blocks());
        assertArrayEquals("hello.txt".getBytes(StandardCharsets.ISO_8859_1), fs.readlink(CTX, fs.lookup(CTX, tree, "symlink").nodeid()));
    }
}
