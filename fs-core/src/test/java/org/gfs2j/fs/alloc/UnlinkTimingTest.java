package org.gfs2j.fs.alloc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.journal.log.FlushReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints how long unlinking many one-block files takes through {@link ReadWriteGfs2Vfs} (a
 * figure, not an assertion: speed belongs in bench/). Only with {@code -Dgfs2j.timing=true},
 * {@code -Dgfs2j.timing.files=N} (default 2000).
 */
@EnabledIfSystemProperty(named = "gfs2j.timing", matches = "true")
class UnlinkTimingTest {
    @TempDir
    Path dir;

    @Test
    void unlinkManyOneBlockFiles() throws Exception {
        int files = Integer.getInteger("gfs2j.timing.files", 2000);
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
            vfs.syncAll();
            long t2 = System.nanoTime();
            System.out.printf("unlink+forget of %d one-block files: %.1f ms (%.1f us/file), then syncAll %.1f ms;"
                            + " log flushes during the unlinks: %d%n",
                    files, (t1 - t0) / 1e6, (t1 - t0) / 1e3 / files, (t2 - t1) / 1e6, totalFlushes(log) - flushes0);
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
