package org.gfs2j.fs.alloc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.journal.log.FlushReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unlinking many one-block files through {@link ReadWriteGfs2Vfs} frees every block without a
 * log flush per file (freed blocks wait in the allocator for the log instead: alloc/FreedBlocks);
 * a flush per removal was the benchmark's slowest figure. Also prints how long it took (a figure,
 * not an assertion: speed belongs in bench/); {@code -Dgfs2j.unlink.files=N} (default 300).
 */
class UnlinkWithoutFlushTest {
    @TempDir
    Path dir;

    @Test
    void unlinkingManyFilesFreesThemWithoutAFlushEach() throws Exception {
        int files = Integer.getInteger("gfs2j.unlink.files", 300);
        Path img = TestMount.mkfs(dir, "img", 512, 128, 4096);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            long[] ino = new long[files];
            byte[] block = new byte[4096];
            for (int i = 0; i < files; i++) {
                ino[i] = vfs.mknod(root, ("f" + i).getBytes(UTF_8), 0100644, 0, 0, 0).ino();
                long h = vfs.open(ino[i], 2);
                vfs.write(h, 0, ByteBuffer.wrap(block));
                vfs.release(h);
            }
            vfs.syncAll();
            long freeBefore = vfs.statfs().bfree();
            var log = vfs.fileSystem().log;
            long flushes0 = totalFlushes(log);
            long t0 = System.nanoTime();
            for (int i = 0; i < files; i++) {
                vfs.unlink(root, ("f" + i).getBytes(UTF_8));
                vfs.forget(ino[i], 1); // the kernel's FORGET: the inode is deallocated now
            }
            long t1 = System.nanoTime();
            long flushes = totalFlushes(log) - flushes0;
            vfs.syncAll();
            long t2 = System.nanoTime();
            System.out.printf("unlink+forget of %d one-block files: %.1f ms (%.1f us/file), then syncAll %.1f ms;"
                            + " log flushes during the unlinks: %d%n",
                    files, (t1 - t0) / 1e6, (t1 - t0) / 1e3 / files, (t2 - t1) / 1e6, flushes);
            // the size and age policies may flush a few times; a flush per freeing transaction would be 2 per file
            assertTrue(flushes < files / 10, flushes + " log flushes while unlinking " + files + " files");
            // the root directory keeps the leaf blocks it grew
            assertEquals(freeBefore + 2L * files, vfs.statfs().bfree(), "every file's dinode and data block freed");
        }
        Gfs2Tools.assertFsckClean(img);
    }

    private static long totalFlushes(org.gfs2j.journal.log.JournalLog log) {
        long n = 0;
        for (FlushReason r : FlushReason.values()) {
            n += log.flushCount(r);
        }
        return n;
    }
}
