package org.gfs2j.fs.mount;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes in the unlinked protocol, taken as copies of the image at quiescent points (every
 * write of the mount happens in the calling thread, and each step is made durable): while a
 * removed file and a removed exhash directory are still in use, and between the transactions of
 * a deallocation. Mounting the copy replays the journal and frees the UNLINKED inodes (free count
 * back to before they were made, fsck.gfs2 -n clean); fsck.gfs2 -y on another copy reclaims them
 * as well.
 */
class UnlinkedCrashTest {
    @TempDir
    Path dir;

    private static byte[] n(String s) {
        return s.getBytes(UTF_8);
    }

    private static void assertFsckReclaims(Path crashed) throws Exception {
        Path copy = crashed.resolveSibling(crashed.getFileName() + ".fsck");
        Files.copy(crashed, copy, StandardCopyOption.REPLACE_EXISTING);
        Gfs2Tools.Result r = Gfs2Tools.run(List.of(Gfs2Tools.requireTool("fsck.gfs2").toString(), "-y", copy.toString()));
        assertTrue(r.exit() == 0 || r.exit() == 1, "fsck.gfs2 -y exit " + r.exit() + ":\n" + r.output());
        Gfs2Tools.assertFsckClean(copy);
        Files.delete(copy);
    }

    /** Mounts the crashed copy: it must come back with every UNLINKED inode freed. */
    private static void assertMountReclaims(Path crashed, long free0) throws Exception {
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(crashed, MountConfig.of(0))) {
            assertEquals(free0, vfs.statfs().bfree(), "the mount freed the unlinked inodes");
            assertEquals(free0, vfs.fileSystem().alloc.freeBlocks());
            assertEquals(0, vfs.freeUnlinked(), "none left");
        }
        Gfs2Tools.assertFsckClean(crashed);
    }

    @Test
    void crashWhileRemovedInodesAreStillInUse() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 1024);
        Path crashed = dir.resolve("crashed.img");
        long free0;
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            free0 = vfs.statfs().bfree();
            long f = vfs.mknod(root, n("f"), 0644, 0, 0, 0).ino();
            long h = vfs.open(f, 2);
            vfs.write(h, 0, ByteBuffer.wrap(new byte[500_000]));
            long d = DirectoryDeallocationTest.grownThenEmptied(vfs, root, "d", 1500);
            assertEquals(d, vfs.lookup(root, n("d")).ino());
            vfs.unlink(root, n("f"));
            vfs.rmdir(root, n("d"));
            vfs.syncAll();
            assertTrue(vfs.statfs().bfree() < free0 - 500);
            Files.copy(img, crashed); // the node dies here, the file still open, the directory still referenced
            vfs.release(h);
            vfs.forget(d, 1);
            assertEquals(free0, vfs.statfs().bfree());
        }
        Gfs2Tools.assertFsckClean(img);
        assertFsckReclaims(crashed);
        assertMountReclaims(crashed, free0);
    }

    @Test
    void crashBetweenTheTransactionsOfADeallocation() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 1024);
        List<Path> crashes = new ArrayList<>();
        List<Long> expectedFree = new ArrayList<>();
        long free0;
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            free0 = vfs.statfs().bfree();
            long f = vfs.mknod(root, n("f"), 0644, 0, 0, 0).ino();
            // ~9000 data blocks: three tree batches (InodeDeallocator.DATA_BUDGET)
            DirectoryDeallocationTest.write(vfs, f, new byte[9_000_000]);
            long d = DirectoryDeallocationTest.grownThenEmptied(vfs, root, "d", 1500);
            long dBlocks = DirectoryDeallocationTest.dinode(vfs, d).blocks();
            int[] commits = {0};
            vfs.deallocator().afterEachCommit(addr -> {
                commits[0]++;
                if (commits[0] % 3 == 1) { // every third step, from the first
                    Path p = dir.resolve("crash-" + commits[0] + ".img");
                    vfs.fileSystem().log.fsync(); // steps no longer wait for the log: crash once this one is durable
                    Files.copy(img, p);
                    crashes.add(p);
                    // while f is deallocated, d is still there with all its blocks
                    expectedFree.add(addr == d ? free0 : free0 - dBlocks);
                }
            });
            vfs.unlink(root, n("f"));
            vfs.rmdir(root, n("d"));
            vfs.deallocator().afterEachCommit(addr -> { });
            assertEquals(free0, vfs.statfs().bfree());
            assertTrue(commits[0] >= 8, commits[0] + " deallocation transactions");
        }
        Gfs2Tools.assertFsckClean(img);
        assertTrue(crashes.size() >= 3);
        for (int i = 0; i < crashes.size(); i++) {
            Path p = crashes.get(i);
            assertFsckReclaims(p);
            assertMountReclaims(p, expectedFree.get(i));
            try (FileSystemReader r = FileSystemReader.open(p)) {
                assertTrue(r.lookup(r.root(), "f").isEmpty());
                assertEquals(expectedFree.get(i) != free0, r.lookup(r.root(), "d").isPresent());
            }
            Files.delete(p);
        }
    }
}
