package org.gfs2j.fs.mount;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.vfs.FsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rmdir and rename-over of directories that grew into exhash directories: every leaf, the hash
 * table (stuffed in the dinode with 4 KiB blocks, in JD blocks with 1 KiB blocks) and the dinode
 * are freed; statfs and the rgrps' free counts return to their value before the mkdir; fsck clean.
 */
class DirectoryDeallocationTest {
    @TempDir
    Path dir;

    static byte[] n(String s) {
        return s.getBytes(UTF_8);
    }

    static Dinode dinode(ReadWriteGfs2Vfs vfs, long ino) throws IOException {
        return Dinode.decode(vfs.fileSystem().cache.read(ino, GlockName.inode(ino)), ino);
    }

    /** Makes {@code name} in {@code parent} an exhash directory by filling it with {@code entries} files, then empties it. */
    static long grownThenEmptied(ReadWriteGfs2Vfs vfs, long parent, String name, int entries) throws Exception {
        long d = vfs.mkdir(parent, n(name), 0755, 0, 0).ino();
        for (int i = 0; i < entries; i++) {
            vfs.mknod(d, n("entry-with-a-longish-name-" + i), 0644, 0, 0, 0);
        }
        Dinode grown = dinode(vfs, d);
        assertTrue(grown.isExhashDir(), "exhash after " + entries + " entries");
        assertEquals(entries + 2, grown.entries());
        for (int i = 0; i < entries; i++) {
            vfs.unlink(d, n("entry-with-a-longish-name-" + i));
        }
        return d;
    }

    private void rmdirOfAGrownDirectory(int bsize, int entries, boolean tableInJdBlocks) throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img" + bsize, 96, 32, bsize);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            long free0 = vfs.statfs().bfree();
            long rgFree0 = vfs.fileSystem().alloc.freeBlocks();
            long rootNlink = vfs.getattr(root).nlink();
            long d = grownThenEmptied(vfs, root, "big", entries);
            Dinode empty = dinode(vfs, d);
            assertEquals(tableInJdBlocks, empty.height() > 0, "hash table height " + empty.height());
            assertTrue(empty.blocks() > 10, "leaves and table: " + empty.blocks() + " blocks");
            assertTrue(vfs.statfs().bfree() < free0 - 10);
            vfs.rmdir(root, n("big"));
            assertEquals(free0, vfs.statfs().bfree(), "statfs free count back to before the mkdir");
            assertEquals(rgFree0, vfs.fileSystem().alloc.freeBlocks(), "rgrp free counts back to before the mkdir");
            assertEquals(rootNlink, vfs.getattr(root).nlink());
            // the freed blocks are usable again
            long again = grownThenEmptied(vfs, root, "again", 300);
            vfs.rmdir(root, n("again"));
            assertEquals(free0, vfs.statfs().bfree());
            assertTrue(again > 0);
        }
        Gfs2Tools.assertFsckClean(img);
        try (FileSystemReader r = FileSystemReader.open(img)) {
            assertTrue(r.lookup(r.root(), "big").isEmpty());
        }
    }

    @Test
    void rmdirOfAnExhashDirectoryWithAStuffedHashTable() throws Exception {
        rmdirOfAGrownDirectory(4096, 3000, false);
    }

    @Test
    void rmdirOfAnExhashDirectoryWithItsHashTableInJdBlocks() throws Exception {
        rmdirOfAGrownDirectory(1024, 3000, true);
    }

    @Test
    void renameOverAnEmptiedExhashDirectoryFreesIt() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 1024);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            long free0 = vfs.statfs().bfree();
            long rootNlink = vfs.getattr(root).nlink();
            long victim = grownThenEmptied(vfs, root, "victim", 1000);
            long moved = vfs.mkdir(root, n("moved"), 0700, 0, 0).ino();
            long movedBlocks = dinode(vfs, moved).blocks();
            vfs.rename(root, n("moved"), root, n("victim"), 0);
            assertEquals(moved, vfs.lookup(root, n("victim")).ino());
            assertEquals(free0 - movedBlocks, vfs.statfs().bfree(), "only the moved directory's dinode is still in use");
            assertEquals(rootNlink + 1, vfs.getattr(root).nlink());
            assertTrue(victim != moved);
            // the lookup above handed a reference on: the removed directory waits for its forget
            vfs.rmdir(root, n("victim"));
            assertEquals(free0 - movedBlocks, vfs.statfs().bfree());
            assertEquals(0, vfs.getattr(moved).nlink());
            vfs.forget(moved, 1);
            assertEquals(free0, vfs.statfs().bfree());
        }
        Gfs2Tools.assertFsckClean(img);
    }

    /** A write through the VFS, for tests that need files with blocks. */
    static void write(ReadWriteGfs2Vfs vfs, long ino, byte[] data) throws FsException {
        long h = vfs.open(ino, 2);
        try {
            vfs.write(h, 0, ByteBuffer.wrap(data));
        } finally {
            vfs.release(h);
        }
    }
}
